"""Storage locations, boxes, placement, secure custody and moves (R20–R26).

Every path that puts a volume somewhere (placing a box, putting a volume in a box or a place,
bulk moves and their undo) goes through :func:`_check_place`, the one check of secure custody
(R22): 机密/绝密 only in secure places. Every move is a :class:`LocationMove` row (R23) written
in the same transaction as the change and its audit entry.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from app.clock import Clock
from app.domain import locations as loc
from app.domain import scan_codes
from app.domain.catalogue import (
    MARKED_LEVELS,
    RETENTION_LABELS,
    SECRECY_LABELS,
    Retention,
    SecrecyLevel,
    VolumeState,
    rank,
)
from app.domain.locations import LocationKind, ShelvingOrder
from app.domain.roles import Role
from app.errors import AppError, FieldError, ValidationFailed
from app.security import access
from app.services.auth import SignedIn
from app.services.common import authorize
from app.storage.models import (
    ArchiveBox,
    CustodyHandover,
    LocationMove,
    MoveBatch,
    ReferenceCounter,
    StorageLocation,
    UserAccount,
    UserRole,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork

SHELF_PATTERN_SETTING = "location_shelf_pattern"
CABINET_PATTERN_SETTING = "location_cabinet_pattern"
ORDER_SETTING = "shelving_order"
BOX_COUNTER = "box"  # scope of the 盒号 counter in reference_counter (numbers never reused)
BOX_PREFIX = "H"
MAX_BATCH_NODES = 20_000
MARKED = frozenset(level.value for level in MARKED_LEVELS)


class MoveReason(StrEnum):
    """Why something moved (R23)."""

    SHELVE = "上架"
    RESHELVE = "调架"
    LOAN = "借出"
    RETURN = "归还"
    INSPECT = "检查"
    REPAIR = "修复"


# --- errors ------------------------------------------------------------------------------------
class NotFound(AppError):
    """The place, box, volume or record (``what``) does not exist (any more)."""

    code = "location_object_not_found"


class SecureLocationRequired(AppError):
    """机密/绝密 may only go into a secure place (R22); ``allowed`` lists some that may."""

    code = "secure_location_required"


class PlaceFull(AppError):
    """The place (or box) has no room left."""

    code = "place_full"


class ScanRejected(AppError):
    """A scanned code failed its check character: scan again, nothing was looked up."""

    code = "scan_rejected"


class ScanNotFound(AppError):
    """A well-formed scanned code that names nothing in this archive."""

    code = "scan_not_found"


class BulkMoveRefused(AppError):
    """At least one row of a bulk move is invalid: nothing was moved."""

    code = "bulk_move_refused"


class UndoRefused(AppError):
    """The last bulk move cannot be undone (``why``)."""

    code = "undo_refused"


# --- settings ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class LocationSettings:
    """Code patterns and shelving order."""

    shelf_pattern: str
    cabinet_pattern: str
    order: ShelvingOrder


def _settings(uow: UnitOfWork) -> LocationSettings:
    raw = uow.settings.raw()
    try:
        order = ShelvingOrder(str(raw.get(ORDER_SETTING) or ShelvingOrder.SECTION_FIRST))
    except ValueError:
        order = ShelvingOrder.SECTION_FIRST
    return LocationSettings(
        shelf_pattern=str(raw.get(SHELF_PATTERN_SETTING) or loc.DEFAULT_SHELF_PATTERN),
        cabinet_pattern=str(raw.get(CABINET_PATTERN_SETTING) or loc.DEFAULT_CABINET_PATTERN),
        order=order,
    )


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


# --- batch creation (R20) ----------------------------------------------------------------------
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


def _check_custodian(uow: UnitOfWork, user_id: int | None) -> UserAccount:
    user = uow.session.get(UserAccount, user_id) if user_id is not None else None
    if user is None or user.disabled or Role.ARCHIVIST.value not in {r.role for r in user.roles}:
        raise ValidationFailed([FieldError("custodian", "not_archivist")])
    return user


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
        category = spec.category_code.strip().upper() or None
        for node in plan.new:
            parent = by_code.get(node.parent_code) if node.parent_code else None
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
            by_code[node.code] = row
        uow.audit.record(
            "location.batch_create",
            object_type="storage_location",
            object_id=by_code[plan.new[0].code].id,
            details={
                "first": plan.new[0].code,
                "last": plan.new[-1].code,
                "count": len(plan.new),
                "secure": spec.secure,
            },
        )
        uow.commit()
        return len(plan.new)


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


# --- editing places ----------------------------------------------------------------------------
@dataclass(frozen=True)
class LocationEdit:
    """Changes to one place as typed."""

    location_id: int
    version: int
    name: str
    capacity: int | None
    secure: bool
    custodian_id: int | None
    category_code: str = ""
    note: str = ""


def _subtree(uow: UnitOfWork, row: StorageLocation) -> list[StorageLocation]:
    return list(
        uow.session.scalars(
            select(StorageLocation).where(
                (StorageLocation.id == row.id)
                | StorageLocation.path_key.startswith(row.path_key + ".")
            )
        )
    )


def _get_location(uow: UnitOfWork, location_id: int) -> StorageLocation:
    row = uow.session.get(StorageLocation, location_id)
    if row is None:
        raise NotFound(what="存放位置")
    return row


def update_location(*, session: SignedIn, edit: LocationEdit, clock: Clock) -> None:
    """Rename a place, change its capacity, 门类, secure flag or custodian.

    Making a place ordinary is refused while it holds 机密/绝密 (R22); a custodian change of a
    place that has one goes through :func:`hand_over_custody` so the item list is signed.
    """
    errors: list[FieldError] = []
    name = edit.name.strip()
    if not name or len(name) > 64:
        errors.append(FieldError("name", "required" if not name else "too_long", {"max": 64}))
    if edit.capacity is not None and not 1 <= edit.capacity <= 200:
        errors.append(FieldError("capacity", "range", {"min": 1, "max": 200}))
    category = edit.category_code.strip().upper() or None
    if category:
        errors += loc.check_segment(category, "category_code")
    if edit.secure and edit.custodian_id is None:
        errors.append(FieldError("custodian", "required"))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "location.write")
        row = _get_location(uow, edit.location_id)
        if row.version != edit.version:
            raise ValidationFailed([FieldError("location", "changed")])
        if edit.secure:
            _check_custodian(uow, edit.custodian_id)
        if row.custodian_id is not None and edit.custodian_id != row.custodian_id and edit.secure:
            raise ValidationFailed([FieldError("custodian", "use_handover")])
        if edit.capacity is not None and row.capacity is not None:
            used = _used(uow, [row.id]).get(row.id, 0)
            if edit.capacity < used:
                raise ValidationFailed([FieldError("capacity", "below_used", {"used": used})])
        old_category = row.category_code
        before: dict[str, object] = {
            "name": row.name,
            "capacity": row.capacity,
            "secure": row.secure,
            "custodian": row.custodian_id,
            "category": row.category_code,
        }
        tree = _subtree(uow, row)
        parent = uow.session.get(StorageLocation, row.parent_id) if row.parent_id else None
        inherited = bool(parent and parent.secure_effective)
        if row.secure and not edit.secure and not inherited:
            held = _marked_volumes_under(uow, [n.id for n in tree])
            if held:
                raise ValidationFailed([FieldError("secure", "holds_classified", {"n": held})])
        row.name = name
        if row.capacity is not None:
            row.capacity = edit.capacity
        row.secure = edit.secure
        row.custodian_id = edit.custodian_id if edit.secure else None
        row.note = edit.note.strip()
        _propagate(tree, row, inherited, category, old_category)
        row.version += 1
        after = {
            "name": row.name,
            "capacity": row.capacity,
            "secure": row.secure,
            "custodian": row.custodian_id,
            "category": row.category_code,
        }
        from app.security.audit import masked_change

        uow.audit.record(
            "location.update",
            object_type="storage_location",
            object_id=row.id,
            details={"code": row.code, "changes": masked_change(before, after)},
        )
        uow.commit()


def _propagate(
    tree: list[StorageLocation],
    root: StorageLocation,
    inherited: bool,
    category: str | None,
    old_category: str | None,
) -> None:
    """Recompute secure_effective and inherited 门类 below ``root``."""
    by_id = {n.id: n for n in tree}
    for node in sorted(tree, key=lambda n: n.path_key):
        if node is root:
            node.secure_effective = node.secure or inherited
            node.category_code = category
            continue
        parent = by_id.get(node.parent_id or -1)
        node.secure_effective = node.secure or bool(parent and parent.secure_effective)
        if node.category_code == old_category and parent is not None:
            node.category_code = parent.category_code


def delete_location(*, session: SignedIn, location_id: int, clock: Clock) -> int:
    """Delete an empty place with everything below it (a batch made by mistake); return count.

    Refused while anything stands there or its moves are on record (the history must stay).
    """
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "location.write")
        row = _get_location(uow, location_id)
        tree = _subtree(uow, row)
        ids = [n.id for n in tree]
        used = sum(_used(uow, ids).values())
        moved = uow.session.scalar(
            select(func.count())
            .select_from(LocationMove)
            .where(LocationMove.from_location_id.in_(ids) | LocationMove.to_location_id.in_(ids))
        )
        if used or moved:
            raise ValidationFailed([FieldError("location", "not_empty")])
        for node in sorted(tree, key=lambda n: n.path_key, reverse=True):
            uow.session.delete(node)
            uow.session.flush()
        uow.audit.record(
            "location.delete",
            object_type="storage_location",
            object_id=location_id,
            details={"code": row.code, "count": len(tree)},
        )
        uow.commit()
        return len(tree)


# --- reading the tree ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LocationNode:
    """One place as the tree and the lists show it."""

    id: int
    parent_id: int | None
    kind: LocationKind
    code: str
    name: str
    capacity: int | None
    secure: bool
    secure_effective: bool
    custodian: str
    custodian_id: int | None
    category_code: str
    has_children: bool
    version: int
    note: str = ""

    @property
    def label(self) -> str:
        """``第03列 (K1-03)``."""
        return f"{self.name}（{self.code}）"


def _node(row: StorageLocation, names: dict[int, str], has_children: bool) -> LocationNode:
    return LocationNode(
        id=row.id,
        parent_id=row.parent_id,
        kind=LocationKind(row.kind),
        code=row.code,
        name=row.name,
        capacity=row.capacity,
        secure=row.secure,
        secure_effective=row.secure_effective,
        custodian=names.get(row.custodian_id or -1, ""),
        custodian_id=row.custodian_id,
        category_code=row.category_code or "",
        has_children=has_children,
        version=row.version,
        note=row.note,
    )


def _user_names(uow: UnitOfWork) -> dict[int, str]:
    return {
        uid: name
        for uid, name in uow.session.execute(select(UserAccount.id, UserAccount.display_name))
    }


def list_child_locations(
    *, session: SignedIn, parent_id: int | None, clock: Clock
) -> list[LocationNode]:
    """The places directly below ``parent_id`` (None: the store rooms), in tree order."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        cond = (
            StorageLocation.parent_id.is_(None)
            if parent_id is None
            else StorageLocation.parent_id == parent_id
        )
        rows = list(uow.session.scalars(select(StorageLocation).where(cond)))
        rows.sort(key=lambda r: r.path_key)
        parents = set(
            uow.session.scalars(
                select(StorageLocation.parent_id).where(
                    StorageLocation.parent_id.in_([r.id for r in rows])
                )
            )
        )
        names = _user_names(uow)
        return [_node(r, names, r.id in parents) for r in rows]


def get_location(*, session: SignedIn, location_id: int, clock: Clock) -> LocationNode:
    """One place."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        row = _get_location(uow, location_id)
        child = uow.session.scalar(
            select(StorageLocation.id).where(StorageLocation.parent_id == row.id).limit(1)
        )
        return _node(row, _user_names(uow), child is not None)


def location_path(
    *, session: SignedIn, location_id: int, clock: Clock
) -> list[tuple[int, LocationKind]]:
    """(id, kind) from the store room down to ``location_id`` (for expanding the tree)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        path: list[tuple[int, LocationKind]] = []
        row = uow.session.get(StorageLocation, location_id)
        while row is not None:
            path.append((row.id, LocationKind(row.kind)))
            row = uow.session.get(StorageLocation, row.parent_id) if row.parent_id else None
        return list(reversed(path))


# --- occupancy ---------------------------------------------------------------------------------
def _used(uow: UnitOfWork, location_ids: Sequence[int]) -> dict[int, int]:
    """Boxes plus directly placed volumes per place."""
    out: dict[int, int] = defaultdict(int)
    for chunk in _chunks(list(location_ids)):
        for lid, n in uow.session.execute(
            select(ArchiveBox.location_id, func.count())
            .where(ArchiveBox.location_id.in_(chunk))
            .group_by(ArchiveBox.location_id)
        ):
            out[_id(lid)] += n
        for lid, n in uow.session.execute(
            select(VolumePlace.location_id, func.count())
            .where(VolumePlace.location_id.in_(chunk))
            .group_by(VolumePlace.location_id)
        ):
            out[_id(lid)] += n
    return out


def _id(value: int | None) -> int:
    """A key column read from a row that the query filtered to be set."""
    assert value is not None
    return value


def _chunks(values: list[int], size: int = 900) -> Iterable[list[int]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _box_levels(uow: UnitOfWork, box_ids: Sequence[int]) -> dict[int, str | None]:
    """The highest secrecy level of the volumes in each box."""
    out: dict[int, str | None] = {}
    for chunk in _chunks(list(box_ids)):
        for bid, level in uow.session.execute(
            select(VolumePlace.box_id, Volume.secrecy_level)
            .join(Volume, Volume.id == VolumePlace.volume_id)
            .where(VolumePlace.box_id.in_(chunk), Volume.secrecy_level.is_not(None))
        ):
            out[_id(bid)] = _higher(out.get(_id(bid)), level)
    return out


def _higher(a: str | None, b: str | None) -> str | None:
    def r(level: str | None) -> int:
        try:
            return rank(SecrecyLevel(level)) if level else 0
        except ValueError:
            return 99

    return a if r(a) >= r(b) else b


def _marked_volumes_under(uow: UnitOfWork, location_ids: Sequence[int]) -> int:
    n = 0
    for chunk in _chunks(list(location_ids)):
        n += (
            uow.session.scalar(
                select(func.count())
                .select_from(VolumePlace)
                .join(Volume, Volume.id == VolumePlace.volume_id)
                .outerjoin(ArchiveBox, ArchiveBox.id == VolumePlace.box_id)
                .where(
                    Volume.secrecy_level.in_(MARKED),
                    (VolumePlace.location_id.in_(chunk)) | (ArchiveBox.location_id.in_(chunk)),
                )
            )
            or 0
        )
    return n


def _secure_places(uow: UnitOfWork, limit: int = 5) -> list[str]:
    """Codes of secure places with room left (for the refusal message, R22)."""
    rows = list(
        uow.session.execute(
            select(StorageLocation.id, StorageLocation.code, StorageLocation.capacity)
            .where(
                StorageLocation.secure_effective.is_(True), StorageLocation.capacity.is_not(None)
            )
            .order_by(StorageLocation.path_key)
            .limit(500)
        )
    )
    used = _used(uow, [r[0] for r in rows])
    free = [code for lid, code, cap in rows if used.get(lid, 0) < (cap or 0)]
    return free[:limit]


def _check_place(uow: UnitOfWork, target: StorageLocation | None, level: str | None) -> None:
    """R22: 机密/绝密 only where the place is secure. Raises SecureLocationRequired."""
    if target is None or level not in MARKED:
        return
    if not target.secure_effective:
        allowed = _secure_places(uow)
        raise SecureLocationRequired(
            level=SECRECY_LABELS[SecrecyLevel(level)],
            target=target.code,
            allowed="、".join(allowed) if allowed else "（尚无空位的保险柜/涉密专柜）",
        )


def _check_slot(row: StorageLocation | None, field_name: str = "location") -> StorageLocation:
    if row is None:
        raise ValidationFailed([FieldError(field_name, "not_found")])
    if row.capacity is None:
        raise ValidationFailed([FieldError(field_name, "not_slot", {"code": row.code})])
    return row


# --- boxes -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BoxDraft:
    """A new box as typed."""

    category_code: str = "KH"
    year: int | None = None
    retention: str | None = None  # Y | D30 | D10
    capacity: int = 10
    note: str = ""


@dataclass(frozen=True)
class BoxRow:
    """A box as lists show it (no titles: a box's text never carries personal data)."""

    id: int
    code: str
    category_code: str
    year: int | None
    retention: str
    capacity: int
    volume_count: int
    secrecy_level: str | None
    secrecy_label: str
    location_id: int | None
    location_code: str
    note: str
    references: tuple[str, ...] = ()

    @property
    def reference_range(self) -> str:
        """``Z001-KH·2024-Y-0001 — 0010`` or the single 档号."""
        if not self.references:
            return ""
        first, last = self.references[0], self.references[-1]
        if len(self.references) == 1:
            return first
        head, _, number = last.rpartition("-")
        if first.startswith(head + "-"):  # one scope: the last 卷号 is enough
            return f"{first} — {number}"
        return f"{first} — {last}"


def create_box(*, session: SignedIn, draft: BoxDraft, clock: Clock) -> BoxRow:
    """Register a new box with the next 盒号 (``H000001``; numbers never reused)."""
    errors: list[FieldError] = []
    category = draft.category_code.strip().upper()
    errors += (
        loc.check_segment(category, "category_code")
        if category
        else [FieldError("category_code", "required")]
    )
    if draft.retention and draft.retention not in {r.value for r in Retention}:
        errors.append(FieldError("retention", "format", {"expected": "永久、定期30年或定期10年"}))
    if draft.year is not None and not 1900 <= draft.year <= 2200:
        errors.append(FieldError("year", "range", {"min": 1900, "max": 2200}))
    if not 1 <= draft.capacity <= 100:
        errors.append(FieldError("capacity", "range", {"min": 1, "max": 100}))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "location.write")
        counter = uow.session.get(ReferenceCounter, BOX_COUNTER)
        number = (counter.last if counter else 0) + 1
        if counter is None:
            uow.session.add(ReferenceCounter(scope=BOX_COUNTER, last=number))
        else:
            counter.last = number
        box = ArchiveBox(
            code=f"{BOX_PREFIX}{number:06d}",
            category_code=category,
            year=draft.year,
            retention=draft.retention or None,
            capacity=draft.capacity,
            note=draft.note.strip(),
            created_at=clock.now(),
            version=1,
        )
        uow.session.add(box)
        uow.session.flush()
        uow.audit.record(
            "box.create", object_type="box", object_id=box.id, details={"code": box.code}
        )
        uow.commit()
        return _box_rows(uow, session, [box])[0]


def _box_rows(uow: UnitOfWork, session: SignedIn, boxes: Sequence[ArchiveBox]) -> list[BoxRow]:
    ids = [b.id for b in boxes]
    counts: dict[int, int] = defaultdict(int)
    refs: dict[int, list[str]] = defaultdict(list)
    for chunk in _chunks(ids):
        for bid, code in uow.session.execute(
            select(VolumePlace.box_id, Volume.reference_code)
            .join(Volume, Volume.id == VolumePlace.volume_id)
            .where(VolumePlace.box_id.in_(chunk))
            .order_by(Volume.reference_code)
        ):
            counts[_id(bid)] += 1
            refs[_id(bid)].append(code)
    levels = _box_levels(uow, ids)
    loc_ids = {b.location_id for b in boxes if b.location_id}
    codes = (
        dict(
            uow.session.execute(
                select(StorageLocation.id, StorageLocation.code).where(
                    StorageLocation.id.in_(loc_ids)
                )
            ).all()
        )
        if loc_ids
        else {}
    )
    out = []
    for b in boxes:
        level = levels.get(b.id)
        out.append(
            BoxRow(
                id=b.id,
                code=b.code,
                category_code=b.category_code,
                year=b.year,
                retention=RETENTION_LABELS[Retention(b.retention)] if b.retention else "",
                capacity=b.capacity,
                volume_count=counts.get(b.id, 0),
                secrecy_level=level,
                secrecy_label=SECRECY_LABELS[SecrecyLevel(level)] if level else "",
                location_id=b.location_id,
                location_code=codes.get(b.location_id or -1, ""),
                note=b.note,
                references=tuple(refs.get(b.id, ())),
            )
        )
    return out


def get_box(*, session: SignedIn, box_id: int, clock: Clock) -> BoxRow:
    """One box."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        box = uow.session.get(ArchiveBox, box_id)
        if box is None:
            raise NotFound(what="档案盒")
        return _box_rows(uow, session, [box])[0]


def list_boxes_at(*, session: SignedIn, location_id: int, clock: Clock) -> list[BoxRow]:
    """Boxes standing in ``location_id`` or below it, in walking order (R21)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        row = _get_location(uow, location_id)
        return _box_rows(uow, session, _boxes_under(uow, row))


def list_unplaced_boxes(*, session: SignedIn, clock: Clock, limit: int = 500) -> list[BoxRow]:
    """Boxes not on a shelf yet, newest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        boxes = list(
            uow.session.scalars(
                select(ArchiveBox)
                .where(ArchiveBox.location_id.is_(None))
                .order_by(ArchiveBox.id.desc())
                .limit(limit)
            )
        )
        return _box_rows(uow, session, boxes)


def _walk_key(
    order: ShelvingOrder, row: StorageLocation, grid_keys: dict[int, str]
) -> tuple[str, tuple[int, int, int], str]:
    return (
        grid_keys.get(row.grid_id or -1, row.path_key),
        loc.walking_key(order, row.section_no or 0, row.layer_no or 0, row.position_no or 0),
        row.path_key,
    )


def _grid_keys(uow: UnitOfWork, grid_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {g for g in grid_ids if g is not None}
    if not ids:
        return {}
    return dict(
        uow.session.execute(
            select(StorageLocation.id, StorageLocation.path_key).where(StorageLocation.id.in_(ids))
        ).all()
    )


def _boxes_under(uow: UnitOfWork, row: StorageLocation) -> list[ArchiveBox]:
    slots = [n for n in _subtree(uow, row) if n.capacity is not None]
    order = _settings(uow).order
    keys = _grid_keys(uow, (s.grid_id for s in slots))
    slots.sort(key=lambda s: _walk_key(order, s, keys))
    rank_of = {s.id: i for i, s in enumerate(slots)}
    boxes: list[ArchiveBox] = []
    for chunk in _chunks(list(rank_of)):
        boxes += uow.session.scalars(select(ArchiveBox).where(ArchiveBox.location_id.in_(chunk)))
    boxes.sort(key=lambda b: (rank_of[b.location_id or 0], b.placed_at or b.created_at, b.id))
    return boxes


# --- proposing a place (R21) --------------------------------------------------------------------
@dataclass(frozen=True)
class Proposal:
    """The next free place for a box, or why there is none."""

    location_id: int | None
    code: str
    secure_needed: bool
    reason: str = ""  # empty, or: no_free_place


def _free_slots(
    uow: UnitOfWork, *, secure: bool | None, category: str, within: StorageLocation | None = None
) -> list[tuple[StorageLocation, int]]:
    """Slots in shelving order: reserved for ``category`` first, then open.

    ``secure``: only secure (True) or only ordinary (False) places; None: both.
    """
    query = select(StorageLocation).where(StorageLocation.capacity.is_not(None))
    if secure is not None:
        query = query.where(StorageLocation.secure_effective.is_(secure))
    if within is not None:
        query = query.where(
            (StorageLocation.id == within.id)
            | StorageLocation.path_key.startswith(within.path_key + ".")
        )
    slots = [
        s
        for s in uow.session.scalars(query)
        if s.category_code in (None, "", category) or within is not None
    ]
    used = _used(uow, [s.id for s in slots])
    order = _settings(uow).order
    keys = _grid_keys(uow, (s.grid_id for s in slots))
    slots.sort(key=lambda s: (0 if s.category_code == category else 1, *_walk_key(order, s, keys)))
    return [(s, used.get(s.id, 0)) for s in slots]


def _propose(uow: UnitOfWork, box: ArchiveBox) -> Proposal:
    level = _box_levels(uow, [box.id]).get(box.id)
    secure = level in MARKED
    slots = _free_slots(uow, secure=secure, category=box.category_code)
    # keep a category's boxes together and in order: the first free place after the last box
    # of the same category; a gap before it only when nothing is free after it
    last = -1
    for i, (slot, used) in enumerate(slots):
        if used and slot.category_code == box.category_code:
            last = i
    if last < 0:
        same = {
            lid
            for (lid,) in uow.session.execute(
                select(ArchiveBox.location_id).where(
                    ArchiveBox.category_code == box.category_code,
                    ArchiveBox.location_id.is_not(None),
                )
            )
        }
        for i, (slot, _used_n) in enumerate(slots):
            if slot.id in same:
                last = i
    ordered = slots[last:] + slots[: max(last, 0)] if last >= 0 else slots
    for slot, used in ordered:
        if slot.capacity is not None and used < slot.capacity:
            return Proposal(slot.id, slot.code, secure)
    return Proposal(None, "", secure, "no_free_place")


def propose_place(*, session: SignedIn, box_id: int, clock: Clock) -> Proposal:
    """The next free place for a box in the configured order (R21, R22)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        box = uow.session.get(ArchiveBox, box_id)
        if box is None:
            raise NotFound(what="档案盒")
        return _propose(uow, box)


# --- moves -------------------------------------------------------------------------------------
class Target(StrEnum):
    """What a move row moves."""

    BOX = "box"
    VOLUME = "volume"


@dataclass(frozen=True)
class MoveRequest:
    """Move a box to a place, or a volume into a box or a place."""

    object_type: Target
    object_id: int
    to_location_id: int | None = None
    to_box_id: int | None = None


@dataclass
class _Planned:
    request: MoveRequest
    label: str
    from_location_id: int | None
    from_box_id: int | None
    to_location: StorageLocation | None
    to_box: ArchiveBox | None
    problem: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    # the rows read while planning, held here so applying does not read them again (the
    # session's identity map keeps only weak references)
    box: ArchiveBox | None = None
    place: VolumePlace | None = None


def _volume_place(uow: UnitOfWork, volume_id: int) -> VolumePlace | None:
    return uow.session.get(VolumePlace, volume_id)


def _plan_moves(
    uow: UnitOfWork, session: SignedIn, requests: Sequence[MoveRequest]
) -> list[_Planned]:
    """Validate every request together (capacity counts the earlier rows of the same batch)."""
    planned: list[_Planned] = []
    extra_used: dict[int, int] = defaultdict(int)
    extra_box: dict[int, int] = defaultdict(int)
    loc_ids = {r.to_location_id for r in requests if r.to_location_id}
    targets = {
        row.id: row
        for chunk in _chunks(list(loc_ids))
        for row in uow.session.scalars(select(StorageLocation).where(StorageLocation.id.in_(chunk)))
    }
    used = _used(uow, list(loc_ids))
    box_ids = {r.object_id for r in requests if r.object_type is Target.BOX}
    box_levels = _box_levels(uow, list(box_ids))
    # read every volume, its place and every box involved in a few queries, not row by row
    vol_ids = list({r.object_id for r in requests if r.object_type is Target.VOLUME})
    volumes: dict[int, Volume] = {}
    places: dict[int, VolumePlace] = {}
    for chunk in _chunks(vol_ids):
        volumes.update(
            (v.id, v) for v in uow.session.scalars(select(Volume).where(Volume.id.in_(chunk)))
        )
        places.update(
            (vp.volume_id, vp)
            for vp in uow.session.scalars(
                select(VolumePlace).where(VolumePlace.volume_id.in_(chunk))
            )
        )
    to_box_ids = {r.to_box_id for r in requests if r.to_box_id is not None}
    all_box_ids = box_ids | to_box_ids | {vp.box_id for vp in places.values() if vp.box_id}
    boxes: dict[int, ArchiveBox] = {}
    for chunk in _chunks(list(all_box_ids)):
        boxes.update(
            (b.id, b)
            for b in uow.session.scalars(select(ArchiveBox).where(ArchiveBox.id.in_(chunk)))
        )
    in_box: dict[int, int] = defaultdict(int)
    for chunk in _chunks(list(to_box_ids)):
        for bid, n in uow.session.execute(
            select(VolumePlace.box_id, func.count())
            .where(VolumePlace.box_id.in_(chunk))
            .group_by(VolumePlace.box_id)
        ):
            in_box[_id(bid)] = n
    actor = session.actor
    for req in requests:
        p = _Planned(req, "", None, None, None, None)
        planned.append(p)
        if req.object_type is Target.BOX:
            box = boxes.get(req.object_id)
            p.box = box
            if box is None:
                p.problem = "not_found"
                continue
            p.label = box.code
            p.from_location_id = box.location_id
            target = targets.get(req.to_location_id or -1)
            p.to_location = target
            if target is None or target.capacity is None:
                p.problem = "not_slot"
                continue
            if target.id == box.location_id:
                p.problem = "same_place"
                continue
            level = box_levels.get(box.id)
            if level in MARKED and not target.secure_effective:
                p.problem = "secure_required"
                p.params = {"level": SECRECY_LABELS[SecrecyLevel(level)]}
                continue
            n = used.get(target.id, 0) + extra_used[target.id]
            if n >= target.capacity:
                p.problem = "full"
                continue
            extra_used[target.id] += 1
            if box.location_id:
                extra_used[box.location_id] -= 1
        else:
            volume = volumes.get(req.object_id)
            if volume is None:
                p.problem = "not_found"
                continue
            if not access.may_see(actor, volume.secrecy_level):
                p.label = volume.reference_code
                p.problem = "restricted"
                continue
            p.label = volume.reference_code
            if volume.state in (VolumeState.ON_LOAN.value, VolumeState.DESTROYED.value):
                p.problem = "volume_" + volume.state
                continue
            place = places.get(volume.id)
            p.place = place
            p.from_box_id = place.box_id if place else None
            p.from_location_id = place.location_id if place else None
            if place is not None and place.box_id is not None:
                from_box = boxes.get(place.box_id)
                if from_box is not None:
                    p.from_location_id = from_box.location_id
            target_loc: StorageLocation | None
            if req.to_box_id is not None:
                to_box = boxes.get(req.to_box_id)
                if to_box is None:
                    p.problem = "not_found"
                    continue
                p.to_box = to_box
                if place is not None and place.box_id == to_box.id:
                    p.problem = "same_place"
                    continue
                if in_box[to_box.id] + extra_box[to_box.id] >= to_box.capacity:
                    p.problem = "box_full"
                    continue
                extra_box[to_box.id] += 1
                target_loc = (
                    uow.session.get(StorageLocation, to_box.location_id)
                    if to_box.location_id
                    else None
                )
                p.to_location = target_loc
            else:
                target_loc = targets.get(req.to_location_id or -1)
                p.to_location = target_loc
                if target_loc is None or target_loc.capacity is None:
                    p.problem = "not_slot"
                    continue
                if place is not None and place.location_id == target_loc.id:
                    p.problem = "same_place"
                    continue
                n = used.get(target_loc.id, 0) + extra_used[target_loc.id]
                if n >= target_loc.capacity:
                    p.problem = "full"
                    continue
                extra_used[target_loc.id] += 1
            if (
                volume.secrecy_level in MARKED
                and target_loc is not None
                and not target_loc.secure_effective
            ):
                p.problem = "secure_required"
                p.params = {"level": SECRECY_LABELS[SecrecyLevel(volume.secrecy_level)]}
                continue
    return planned


def _apply(
    uow: UnitOfWork,
    planned: Sequence[_Planned],
    reason: MoveReason,
    note: str,
    clock: Clock,
    batch_id: int | None,
) -> list[LocationMove]:
    now = clock.now()
    actor = uow.actor
    moves = []
    created: dict[int, VolumePlace] = {}  # places made here (not yet in the identity map)
    for p in planned:
        req = p.request
        if req.object_type is Target.BOX:
            box = p.box or uow.session.get(ArchiveBox, req.object_id)
            assert box is not None and p.to_location is not None
            box.location_id = p.to_location.id
            box.placed_at = now
            box.version += 1
            to_box_id = None
        else:
            place = created.get(req.object_id) or p.place or _volume_place(uow, req.object_id)
            if place is None:
                place = VolumePlace(volume_id=req.object_id, placed_at=now)
                uow.session.add(place)
                created[req.object_id] = place
            place.box_id = req.to_box_id
            place.location_id = None if req.to_box_id is not None else req.to_location_id
            place.placed_at = now
            to_box_id = req.to_box_id
        move = LocationMove(
            occurred_at=now,
            actor_id=actor.user_id if actor else None,
            actor_name=actor.username if actor else "system",
            object_type=req.object_type.value,
            object_id=req.object_id,
            from_location_id=p.from_location_id,
            to_location_id=p.to_location.id if p.to_location else None,
            from_box_id=p.from_box_id,
            to_box_id=to_box_id,
            reason=reason.value,
            batch_id=batch_id,
            note=note,
        )
        uow.session.add(move)
        moves.append(move)
    uow.session.flush()
    return moves


def _raise_single(uow: UnitOfWork, p: _Planned) -> None:
    if not p.problem:
        return
    if p.problem == "secure_required":
        _check_place(uow, p.to_location, _level_of(uow, p.request))
    if p.problem in ("full", "box_full"):
        raise PlaceFull(
            code=p.to_box.code if p.to_box else (p.to_location.code if p.to_location else "")
        )
    field_name = "box" if p.request.to_box_id is not None else "location"
    if p.problem.startswith("volume_") or p.problem in ("restricted",):
        field_name = "volume"
    code = p.to_location.code if p.to_location else ""
    raise ValidationFailed([FieldError(field_name, p.problem, {"code": code})])


def _level_of(uow: UnitOfWork, req: MoveRequest) -> str | None:
    if req.object_type is Target.BOX:
        return _box_levels(uow, [req.object_id]).get(req.object_id)
    volume = uow.session.get(Volume, req.object_id)
    return volume.secrecy_level if volume else None


@dataclass(frozen=True)
class MoveDone:
    """What one move did."""

    label: str
    from_code: str
    to_code: str
    reason: str


def _codes(uow: UnitOfWork, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(
        uow.session.execute(
            select(StorageLocation.id, StorageLocation.code).where(StorageLocation.id.in_(wanted))
        ).all()
    )


def _move_one(
    session: SignedIn, request: MoveRequest, reason: MoveReason, note: str, clock: Clock
) -> MoveDone:
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "location.write")
        [p] = _plan_moves(uow, session, [request])
        _raise_single(uow, p)
        [move] = _apply(uow, [p], reason, note.strip(), clock, None)
        codes = _codes(uow, [move.from_location_id, move.to_location_id])
        uow.audit.record(
            f"{request.object_type.value}.move",
            object_type=request.object_type.value,
            object_id=request.object_id,
            details={
                "label": p.label,
                "from": codes.get(move.from_location_id or -1),
                "to": codes.get(move.to_location_id or -1),
                "to_box": p.to_box.code if p.to_box else None,
                "reason": reason.value,
            },
        )
        uow.commit()
        return MoveDone(
            p.label,
            codes.get(move.from_location_id or -1, ""),
            codes.get(move.to_location_id or -1, ""),
            reason.value,
        )


def place_box(
    *,
    session: SignedIn,
    box_id: int,
    location_id: int | None = None,
    reason: MoveReason | None = None,
    note: str = "",
    clock: Clock,
) -> MoveDone:
    """Put a box in a place (None: the proposed next free place); 上架 or 调架 (R21–R23)."""
    if location_id is None:
        proposal = propose_place(session=session, box_id=box_id, clock=clock)
        if proposal.location_id is None:
            raise ValidationFailed([FieldError("location", "no_free_place")])
        location_id = proposal.location_id
    if reason is None:
        with session.uow(clock) as uow:
            box = uow.session.get(ArchiveBox, box_id)
            reason = MoveReason.RESHELVE if box and box.location_id else MoveReason.SHELVE
    return _move_one(
        session, MoveRequest(Target.BOX, box_id, to_location_id=location_id), reason, note, clock
    )


def put_volume(
    *,
    session: SignedIn,
    volume_id: int,
    box_id: int | None = None,
    location_id: int | None = None,
    reason: MoveReason | None = None,
    note: str = "",
    clock: Clock,
) -> MoveDone:
    """Put a volume into a box, or directly into a place (a safe's 层) (R22, R23)."""
    if (box_id is None) == (location_id is None):
        raise ValidationFailed([FieldError("box", "one_target")])
    if reason is None:
        with session.uow(clock) as uow:
            reason = (
                MoveReason.RESHELVE
                if uow.session.get(VolumePlace, volume_id) is not None
                else MoveReason.SHELVE
            )
    return _move_one(
        session,
        MoveRequest(Target.VOLUME, volume_id, to_location_id=location_id, to_box_id=box_id),
        reason,
        note,
        clock,
    )


# --- bulk moves (R23) --------------------------------------------------------------------------
@dataclass(frozen=True)
class BulkRow:
    """One row of a bulk move's preview."""

    object_type: str
    object_id: int
    label: str
    from_code: str
    to_code: str
    problem: str
    params: dict[str, Any]


@dataclass(frozen=True)
class BulkPreview:
    """A bulk move as it would be applied."""

    rows: list[BulkRow]

    @property
    def ok(self) -> bool:
        """True when every row can be applied."""
        return bool(self.rows) and all(not r.problem for r in self.rows)

    @property
    def problems(self) -> int:
        """How many rows cannot be applied."""
        return sum(1 for r in self.rows if r.problem)


def _preview(uow: UnitOfWork, planned: Sequence[_Planned]) -> BulkPreview:
    codes = _codes(
        uow,
        [p.from_location_id for p in planned]
        + [p.to_location.id if p.to_location else None for p in planned],
    )
    rows = []
    for p in planned:
        to = codes.get(p.to_location.id, "") if p.to_location else ""
        if p.to_box is not None:
            to = f"{p.to_box.code}" + (f"（{to}）" if to else "")
        rows.append(
            BulkRow(
                p.request.object_type.value,
                p.request.object_id,
                p.label,
                codes.get(p.from_location_id or -1, ""),
                to,
                p.problem,
                p.params,
            )
        )
    return BulkPreview(rows)


def spread_over(
    *, session: SignedIn, box_ids: Sequence[int], target_id: int, clock: Clock
) -> list[MoveRequest]:
    """Requests that move ``box_ids`` (in order) into the free places at and below a target.

    The places are taken in walking order, so moving a shelf's boxes to another keeps their order.

    Boxes holding 机密/绝密 take the secure places only, other boxes any place there (a box
    may go into a safe). When places run out, the remaining rows point at the last place
    that was considered, so the preview names the real reason (full, or secure required).
    """
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        target = _get_location(uow, target_id)
        levels = _box_levels(uow, list(box_ids))
        everything = _free_slots(uow, secure=None, category="", within=target)
        used = {slot.id: n for slot, n in everything}
        pools = {
            True: [slot for slot, _n in everything if slot.secure_effective],
            False: [slot for slot, _n in everything],
        }
        fallback = everything[-1][0].id if everything else target.id
        requests = []
        for bid in box_ids:
            pool = pools[levels.get(bid) in MARKED]
            chosen = next((slot for slot in pool if used[slot.id] < (slot.capacity or 0)), None)
            if chosen is None:
                last = pool[-1].id if pool else fallback
                requests.append(MoveRequest(Target.BOX, bid, to_location_id=last))
                continue
            used[chosen.id] += 1
            requests.append(MoveRequest(Target.BOX, bid, to_location_id=chosen.id))
        return requests


def preview_bulk_move(
    *, session: SignedIn, requests: Sequence[MoveRequest], clock: Clock
) -> BulkPreview:
    """Validate a bulk move row by row without applying it."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.write")
        return _preview(uow, _plan_moves(uow, session, requests))


def bulk_move(
    *,
    session: SignedIn,
    requests: Sequence[MoveRequest],
    reason: MoveReason = MoveReason.RESHELVE,
    note: str = "",
    clock: Clock,
) -> int:
    """Apply every move or none (R23); return the batch id.

    Raises BulkMoveRefused (with the number of bad rows) when any row is invalid.
    """
    if not requests:
        raise ValidationFailed([FieldError("selection", "required")])
    if len(requests) > 10_000:
        raise ValidationFailed([FieldError("selection", "too_many_items", {"max": 10_000})])
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "location.write")
        planned = _plan_moves(uow, session, requests)
        bad = [p for p in planned if p.problem]
        if bad:
            raise BulkMoveRefused(bad=len(bad), total=len(planned), first=bad[0].label)
        batch = MoveBatch(
            occurred_at=clock.now(),
            actor_id=session.actor.user_id,
            reason=reason.value,
            note=note.strip(),
            count=len(planned),
        )
        uow.session.add(batch)
        uow.session.flush()
        _apply(uow, planned, reason, note.strip(), clock, batch.id)
        uow.audit.record(
            "move.bulk",
            object_type="move_batch",
            object_id=batch.id,
            details={"count": len(planned), "reason": reason.value},
        )
        uow.commit()
        return batch.id


@dataclass(frozen=True)
class BatchInfo:
    """The bulk move that undo would reverse."""

    batch_id: int
    occurred_at: datetime
    count: int
    reason: str
    undoable: bool
    why: str = ""


def _last_batch(uow: UnitOfWork) -> MoveBatch | None:
    return uow.session.scalar(
        select(MoveBatch)
        .where(MoveBatch.undo_of.is_(None), MoveBatch.undone_at.is_(None))
        .order_by(MoveBatch.id.desc())
        .limit(1)
    )


def _undo_requests(uow: UnitOfWork, batch: MoveBatch) -> tuple[list[MoveRequest], str]:
    moves = list(uow.session.scalars(select(LocationMove).where(LocationMove.batch_id == batch.id)))
    requests = []
    for m in moves:
        later = uow.session.scalar(
            select(LocationMove.id)
            .where(
                LocationMove.object_type == m.object_type,
                LocationMove.object_id == m.object_id,
                LocationMove.id > m.id,
            )
            .limit(1)
        )
        if later is not None:
            return [], "moved_since"
        if m.object_type == Target.BOX.value:
            if m.from_location_id is None:
                return [], "was_unplaced"
            requests.append(MoveRequest(Target.BOX, m.object_id, to_location_id=m.from_location_id))
        elif m.from_box_id is not None:
            requests.append(MoveRequest(Target.VOLUME, m.object_id, to_box_id=m.from_box_id))
        elif m.from_location_id is not None:
            requests.append(
                MoveRequest(Target.VOLUME, m.object_id, to_location_id=m.from_location_id)
            )
        else:
            return [], "was_unplaced"
    return requests, ""


def last_bulk_move(*, session: SignedIn, clock: Clock) -> BatchInfo | None:
    """The most recent bulk move not yet undone, and whether it can be undone."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        batch = _last_batch(uow)
        if batch is None:
            return None
        _requests, why = _undo_requests(uow, batch)
        return BatchInfo(batch.id, batch.occurred_at, batch.count, batch.reason, not why, why)


def undo_last_bulk_move(*, session: SignedIn, clock: Clock) -> int:
    """Move everything of the last bulk move back where it was (all or nothing).

    Returns the undo's batch id. Refused when something moved since, or when a place it came
    from now refuses it (e.g. a volume raised to 机密 cannot go back to an ordinary shelf, R22).
    """
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "location.write")
        batch = _last_batch(uow)
        if batch is None:
            raise UndoRefused(why="没有可撤销的批量移动")
        requests, why = _undo_requests(uow, batch)
        if why:
            raise UndoRefused(
                why={
                    "moved_since": "其中有档案盒或案卷此后又移动过",
                    "was_unplaced": "其中有档案盒原先未上架",
                }[why]
            )
        planned = _plan_moves(uow, session, requests)
        bad = [p for p in planned if p.problem]
        if bad:
            raise BulkMoveRefused(bad=len(bad), total=len(planned), first=bad[0].label)
        undo = MoveBatch(
            occurred_at=clock.now(),
            actor_id=session.actor.user_id,
            reason=MoveReason.RESHELVE.value,
            note=f"撤销批量移动 #{batch.id}",
            count=len(planned),
            undo_of=batch.id,
        )
        uow.session.add(undo)
        uow.session.flush()
        _apply(uow, planned, MoveReason.RESHELVE, undo.note, clock, undo.id)
        batch.undone_at = clock.now()
        uow.audit.record(
            "move.bulk_undo",
            object_type="move_batch",
            object_id=batch.id,
            details={"count": len(planned), "undo_batch": undo.id},
        )
        uow.commit()
        return undo.id


# --- loans and repairs move volumes out and back (used by the loans and inspection areas) ---------
def _log_volume_trip(
    uow: UnitOfWork, volume: Volume, reason: MoveReason, note: str, *, leaving: bool, home: bool
) -> None:
    """One move row for a volume leaving its place or coming back (the place itself is kept)."""
    place = _volume_place(uow, volume.id)
    where = _home_location(uow, place) if home else None
    box = place.box_id if place is not None and home else None
    actor = uow.actor
    uow.session.add(
        LocationMove(
            occurred_at=uow.clock.now(),
            actor_id=actor.user_id if actor else None,
            actor_name=actor.username if actor else "system",
            object_type=Target.VOLUME.value,
            object_id=volume.id,
            from_location_id=where if leaving else None,
            to_location_id=None if leaving else where,
            from_box_id=box if leaving else None,
            to_box_id=None if leaving else box,
            reason=reason.value,
            note=note,
        )
    )


def record_volume_out(uow: UnitOfWork, volume: Volume, reason: MoveReason, note: str = "") -> None:
    """Log that a volume left its place (借出, 修复, 检查); its place is kept for the return."""
    _log_volume_trip(uow, volume, reason, note, leaving=True, home=True)


def record_volume_back(
    uow: UnitOfWork, volume: Volume, reason: MoveReason, note: str = "", *, home: bool = True
) -> None:
    """Log that a volume came back (归还) to its place, or (``home=False``) went elsewhere.

    ``home=False`` is a return straight to repair: the place is kept for when it is back.
    """
    _log_volume_trip(uow, volume, reason, note, leaving=False, home=home)


def volume_place_codes(uow: UnitOfWork, volume_ids: Sequence[int]) -> dict[int, str]:
    """``{volume id: "H000013 K1-01-A-1-3"}`` for registers and lists (few queries for many)."""
    out: dict[int, str] = {}
    for chunk in _chunks(sorted(set(volume_ids))):
        boxed = uow.session.execute(
            select(VolumePlace.volume_id, ArchiveBox.code, StorageLocation.code)
            .join(ArchiveBox, ArchiveBox.id == VolumePlace.box_id)
            .outerjoin(StorageLocation, StorageLocation.id == ArchiveBox.location_id)
            .where(VolumePlace.volume_id.in_(chunk))
        )
        for vid, box, place in boxed:
            out[vid] = f"{box} {place}" if place else box
        direct = uow.session.execute(
            select(VolumePlace.volume_id, StorageLocation.code)
            .join(StorageLocation, StorageLocation.id == VolumePlace.location_id)
            .where(VolumePlace.volume_id.in_(chunk))
        )
        for vid, place in direct:
            out[vid] = place
    return out


def _home_location(uow: UnitOfWork, place: VolumePlace | None) -> int | None:
    if place is None:
        return None
    if place.box_id is not None:
        box = uow.session.get(ArchiveBox, place.box_id)
        return box.location_id if box else None
    return place.location_id


# --- must move (R22) ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MustMoveRow:
    """A 机密/绝密 volume kept in an ordinary place."""

    volume_id: int
    reference_code: str
    secrecy_label: str
    box_code: str
    location_code: str


def list_must_move(*, session: SignedIn, clock: Clock) -> list[MustMoveRow]:
    """Every 机密/绝密 volume (alone or in a box) standing in an ordinary place."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        direct = (
            select(
                Volume.id,
                Volume.reference_code,
                Volume.secrecy_level,
                StorageLocation.code,
            )
            .join(VolumePlace, VolumePlace.volume_id == Volume.id)
            .join(StorageLocation, StorageLocation.id == VolumePlace.location_id)
            .where(Volume.secrecy_level.in_(MARKED), StorageLocation.secure_effective.is_(False))
        )
        boxed = (
            select(
                Volume.id,
                Volume.reference_code,
                Volume.secrecy_level,
                StorageLocation.code,
                ArchiveBox.code,
            )
            .join(VolumePlace, VolumePlace.volume_id == Volume.id)
            .join(ArchiveBox, ArchiveBox.id == VolumePlace.box_id)
            .join(StorageLocation, StorageLocation.id == ArchiveBox.location_id)
            .where(Volume.secrecy_level.in_(MARKED), StorageLocation.secure_effective.is_(False))
        )
        rows = [
            MustMoveRow(vid, code, SECRECY_LABELS[SecrecyLevel(str(level))], "", where)
            for vid, code, level, where in uow.session.execute(direct)
        ]
        rows += [
            MustMoveRow(vid, code, SECRECY_LABELS[SecrecyLevel(str(level))], box, where)
            for vid, code, level, where, box in uow.session.execute(boxed)
        ]
        rows = [r for r in rows if access.may_see(session.actor, _level_value(r.secrecy_label))]
        return sorted(rows, key=lambda r: (r.location_code, r.box_code, r.reference_code))


def _level_value(label: str) -> str | None:
    for level, text in SECRECY_LABELS.items():
        if text == label:
            return level.value
    return None


# --- the shelf map -----------------------------------------------------------------------------
@dataclass(frozen=True)
class MapCell:
    """One 节 × 层 cell of a face or cabinet."""

    section: int
    layer: int
    location_id: int
    code: str
    used: int
    capacity: int
    secure: bool
    highest_level: str | None
    secrecy_label: str
    problems: tuple[str, ...]

    @property
    def fill(self) -> float:
        """Share of the capacity in use (0–1, above 1 when over-full)."""
        return self.used / self.capacity if self.capacity else 0.0


@dataclass(frozen=True)
class ShelfMap:
    """A face or cabinet as a grid."""

    grid_id: int
    code: str
    name: str
    secure: bool
    custodian: str
    sections: list[int]
    layers: list[int]
    cells: dict[tuple[int, int], MapCell]

    @property
    def totals(self) -> tuple[int, int]:
        """(used, capacity) of the whole grid."""
        return (
            sum(c.used for c in self.cells.values()),
            sum(c.capacity for c in self.cells.values()),
        )


def get_shelf_map(*, session: SignedIn, grid_id: int, clock: Clock) -> ShelfMap:
    """Occupancy, fill, secrecy and problems of every 节 × 层 of a face or cabinet."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        grid = _get_location(uow, grid_id)
        if grid.kind not in {k.value for k in loc.GRID_KINDS}:
            raise ValidationFailed([FieldError("location", "not_grid", {"code": grid.code})])
        nodes = list(
            uow.session.execute(
                select(
                    StorageLocation.id,
                    StorageLocation.kind,
                    StorageLocation.code,
                    StorageLocation.section_no,
                    StorageLocation.layer_no,
                    StorageLocation.capacity,
                    StorageLocation.secure_effective,
                ).where(StorageLocation.grid_id == grid.id)
            )
        )
        slot_cell: dict[int, tuple[int, int]] = {}
        layer_rows: dict[tuple[int, int], Any] = {}
        cap: dict[tuple[int, int], int] = defaultdict(int)
        secure_cell: dict[tuple[int, int], bool] = {}
        for lid, kind, code, sec, lay, capacity, secure in nodes:
            if sec is None or lay is None:
                continue  # the 节 rows themselves
            if kind == LocationKind.LAYER.value:
                layer_rows[(sec, lay)] = (lid, code)
                secure_cell[(sec, lay)] = bool(secure)
            if capacity is not None:
                slot_cell[lid] = (sec, lay)
                cap[(sec, lay)] += capacity
        used: dict[tuple[int, int], int] = defaultdict(int)
        level: dict[tuple[int, int], str | None] = {}
        ordinary_marked: dict[tuple[int, int], int] = defaultdict(int)
        slot_ids = list(slot_cell)
        for chunk in _chunks(slot_ids):
            for slot_id, n in _used(uow, chunk).items():
                used[slot_cell[slot_id]] += n
            boxed = (
                select(ArchiveBox.location_id, Volume.secrecy_level)
                .join(VolumePlace, VolumePlace.box_id == ArchiveBox.id)
                .join(Volume, Volume.id == VolumePlace.volume_id)
                .where(ArchiveBox.location_id.in_(chunk), Volume.secrecy_level.is_not(None))
            )
            direct = (
                select(VolumePlace.location_id, Volume.secrecy_level)
                .join(Volume, Volume.id == VolumePlace.volume_id)
                .where(VolumePlace.location_id.in_(chunk), Volume.secrecy_level.is_not(None))
            )
            for slot_id, lvl in [*uow.session.execute(boxed), *uow.session.execute(direct)]:
                cell = slot_cell[_id(slot_id)]
                level[cell] = _higher(level.get(cell), lvl)
                if lvl in MARKED and not secure_cell.get(cell, False):
                    ordinary_marked[cell] += 1
        cells = {}
        for key, (lid, code) in layer_rows.items():
            problems = []
            if cap[key] and used[key] > cap[key]:
                problems.append("over_capacity")
            if ordinary_marked[key]:
                problems.append("must_move")
            lvl = level.get(key)
            cells[key] = MapCell(
                section=key[0],
                layer=key[1],
                location_id=lid,
                code=code,
                used=used[key],
                capacity=cap[key],
                secure=secure_cell.get(key, False),
                highest_level=lvl,
                secrecy_label=SECRECY_LABELS[SecrecyLevel(lvl)] if lvl else "",
                problems=tuple(problems),
            )
        custodian = ""
        holder: StorageLocation | None = grid
        while holder is not None and holder.custodian_id is None and holder.parent_id:
            holder = uow.session.get(StorageLocation, holder.parent_id)
        if holder is not None and holder.custodian_id:
            user = uow.session.get(UserAccount, holder.custodian_id)
            custodian = user.display_name if user else ""
        return ShelfMap(
            grid_id=grid.id,
            code=grid.code,
            name=grid.name,
            secure=grid.secure_effective,
            custodian=custodian,
            sections=sorted({k[0] for k in cells}),
            layers=sorted({k[1] for k in cells}),
            cells=cells,
        )


# --- history (R23) -----------------------------------------------------------------------------
@dataclass(frozen=True)
class MoveRow:
    """One move as the history shows it."""

    occurred_at: datetime
    actor: str
    object_type: str
    label: str
    from_code: str
    to_code: str
    reason: str
    note: str
    batch_id: int | None


def _move_rows(uow: UnitOfWork, moves: Sequence[LocationMove]) -> list[MoveRow]:
    codes = _codes(uow, [m.from_location_id for m in moves] + [m.to_location_id for m in moves])
    box_ids = {m.object_id for m in moves if m.object_type == "box"} | {
        b for m in moves for b in (m.from_box_id, m.to_box_id) if b
    }
    box_codes = (
        dict(
            uow.session.execute(
                select(ArchiveBox.id, ArchiveBox.code).where(ArchiveBox.id.in_(box_ids))
            ).all()
        )
        if box_ids
        else {}
    )
    vol_ids = {m.object_id for m in moves if m.object_type == "volume"}
    vol_codes = (
        dict(
            uow.session.execute(
                select(Volume.id, Volume.reference_code).where(Volume.id.in_(vol_ids))
            ).all()
        )
        if vol_ids
        else {}
    )

    def where(location_id: int | None, box_id: int | None) -> str:
        text = codes.get(location_id or -1, "")
        if box_id:
            return f"{box_codes.get(box_id, '')}" + (f"（{text}）" if text else "")
        return text

    return [
        MoveRow(
            occurred_at=m.occurred_at,
            actor=m.actor_name,
            object_type=m.object_type,
            label=(box_codes if m.object_type == "box" else vol_codes).get(m.object_id, ""),
            from_code=where(m.from_location_id, m.from_box_id),
            to_code=where(m.to_location_id, m.to_box_id),
            reason=m.reason,
            note=m.note,
            batch_id=m.batch_id,
        )
        for m in moves
    ]


def object_history(
    *, session: SignedIn, object_type: str, object_id: int, clock: Clock
) -> list[MoveRow]:
    """Every move of one box or volume, newest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        if object_type == "volume":
            volume = uow.session.get(Volume, object_id)
            if volume is None or not access.may_see(session.actor, volume.secrecy_level):
                raise NotFound(what="案卷")
        moves = list(
            uow.session.scalars(
                select(LocationMove)
                .where(LocationMove.object_type == object_type, LocationMove.object_id == object_id)
                .order_by(LocationMove.id.desc())
            )
        )
        return _move_rows(uow, moves)


def location_history(
    *, session: SignedIn, location_id: int, clock: Clock, limit: int = 500
) -> list[MoveRow]:
    """Moves into or out of a place and everything below it, newest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        row = _get_location(uow, location_id)
        ids = [n.id for n in _subtree(uow, row)]
        moves: list[LocationMove] = []
        for chunk in _chunks(ids):
            moves += uow.session.scalars(
                select(LocationMove)
                .where(
                    LocationMove.from_location_id.in_(chunk)
                    | LocationMove.to_location_id.in_(chunk)
                )
                .order_by(LocationMove.id.desc())
                .limit(limit)
            )
        moves = sorted({m.id: m for m in moves}.values(), key=lambda m: -m.id)[:limit]
        return _move_rows(uow, moves)


# --- where a volume is -------------------------------------------------------------------------
@dataclass(frozen=True)
class VolumeWhere:
    """Where a volume is kept and in what state."""

    volume_id: int
    reference_code: str
    box_id: int | None
    box_code: str
    location_id: int | None
    location_code: str
    state: str


def where_is_volume(*, session: SignedIn, volume_id: int, clock: Clock) -> VolumeWhere:
    """The volume's box and place (state 借出 while on loan: its place is kept for the return)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        volume = uow.session.get(Volume, volume_id)
        if volume is None:
            raise NotFound(what="案卷")
        place = _volume_place(uow, volume_id)
        box = uow.session.get(ArchiveBox, place.box_id) if place and place.box_id else None
        lid = _home_location(uow, place)
        codes = _codes(uow, [lid])
        return VolumeWhere(
            volume_id,
            volume.reference_code,
            box.id if box else None,
            box.code if box else "",
            lid,
            codes.get(lid or -1, ""),
            volume.state,
        )


# --- scanning (R24) ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ScanTarget:
    """What a scanned code names."""

    kind: scan_codes.ScanKind
    object_id: int
    code: str


def _reference_variants(code: str) -> list[str]:
    """档号 spellings whose scan form is ``code`` (``.`` may stand for ``·``)."""
    variants = [code]
    dots = [i for i, c in enumerate(code) if c == "."]
    for mask in range(1, 2 ** min(len(dots), 4)):
        chars = list(code)
        for bit, i in enumerate(dots[:4]):
            if mask >> bit & 1:
                chars[i] = "·"
        variants.append("".join(chars))
    return variants


def resolve_scan(*, session: SignedIn, text: str, clock: Clock) -> ScanTarget | None:
    """What a scanner typed: a place, a box or a volume (None: not a code, search as usual).

    Raises ScanRejected when the check character is wrong (never a guess) and ScanNotFound
    when a well-formed code names nothing here.
    """
    result, scanned = scan_codes.parse_scan(text)
    if result is scan_codes.ScanResult.NOT_A_CODE:
        return None
    if result is scan_codes.ScanResult.BAD_CHECK or scanned is None:
        raise ScanRejected()
    code = scanned.code
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        lid = uow.session.scalar(select(StorageLocation.id).where(StorageLocation.code == code))
        if lid is not None:
            return ScanTarget(scan_codes.ScanKind.LOCATION, lid, code)
        bid = uow.session.scalar(select(ArchiveBox.id).where(ArchiveBox.code == code))
        if bid is not None:
            return ScanTarget(scan_codes.ScanKind.BOX, bid, code)
        row = uow.session.execute(
            select(Volume.id, Volume.reference_code, Volume.secrecy_level).where(
                Volume.reference_code.in_(_reference_variants(code))
            )
        ).first()
        if row is not None:
            return ScanTarget(scan_codes.ScanKind.VOLUME, row[0], row[1])
    raise ScanNotFound(code=code)


# --- custody hand-over (R22, R26) ---------------------------------------------------------------
@dataclass(frozen=True)
class HandoverLine:
    """One line of a hand-over list."""

    location_code: str
    box_code: str
    reference_code: str
    secrecy_label: str
    items: int
    pages: int


@dataclass(frozen=True)
class HandoverSheet:
    """A recorded hand-over with its item-by-item list."""

    handover_id: int
    occurred_at: datetime
    from_name: str
    to_name: str
    witness: str
    note: str
    places: list[str]
    lines: list[HandoverLine]


def _custody_lines(uow: UnitOfWork, places: Sequence[StorageLocation]) -> list[HandoverLine]:
    lines: list[HandoverLine] = []
    for place in places:
        for node in sorted(_subtree(uow, place), key=lambda n: n.path_key):
            if node.capacity is None:
                continue
            for box in uow.session.scalars(
                select(ArchiveBox)
                .where(ArchiveBox.location_id == node.id)
                .order_by(ArchiveBox.code)
            ):
                vols = list(
                    uow.session.scalars(
                        select(Volume)
                        .join(VolumePlace, VolumePlace.volume_id == Volume.id)
                        .where(VolumePlace.box_id == box.id)
                        .order_by(Volume.reference_code)
                    )
                )
                if not vols:
                    lines.append(HandoverLine(node.code, box.code, "", "", 0, 0))
                for v in vols:
                    lines.append(_line(node.code, box.code, v))
            for v in uow.session.scalars(
                select(Volume)
                .join(VolumePlace, VolumePlace.volume_id == Volume.id)
                .where(VolumePlace.location_id == node.id)
                .order_by(Volume.reference_code)
            ):
                lines.append(_line(node.code, "", v))
    return lines


def _line(where: str, box: str, v: Volume) -> HandoverLine:
    label = SECRECY_LABELS[SecrecyLevel(v.secrecy_level)] if v.secrecy_level else ""
    return HandoverLine(where, box, v.reference_code, label, v.item_count, v.page_count)


def custody_places(*, session: SignedIn, user_id: int, clock: Clock) -> list[LocationNode]:
    """The secure places ``user_id`` keeps (for a hand-over on job change, R26)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        rows = list(
            uow.session.scalars(
                select(StorageLocation)
                .where(StorageLocation.custodian_id == user_id)
                .order_by(StorageLocation.path_key)
            )
        )
        names = _user_names(uow)
        return [_node(r, names, True) for r in rows]


def hand_over_custody(
    *,
    session: SignedIn,
    location_ids: Sequence[int],
    to_user_id: int,
    witness: str,
    note: str,
    clock: Clock,
) -> HandoverSheet:
    """Give secure places to a new custodian with an item-by-item list (R22, R26).

    The list (every box and volume, with 件数 and 页数 for counting) is stored with the
    record and printed for both to sign.
    """
    errors: list[FieldError] = []
    if not location_ids:
        errors.append(FieldError("places", "required"))
    if len(witness.strip()) > 64:
        errors.append(FieldError("witness", "too_long", {"max": 64}))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "location.write")
        receiver = _check_custodian(uow, to_user_id)
        places = [_get_location(uow, lid) for lid in dict.fromkeys(location_ids)]
        holders = {p.custodian_id for p in places}
        if any(not p.secure or p.custodian_id is None for p in places):
            raise ValidationFailed([FieldError("places", "not_secure")])
        if len(holders) != 1:
            raise ValidationFailed([FieldError("places", "several_custodians")])
        [from_id] = holders
        if from_id == to_user_id:
            raise ValidationFailed([FieldError("custodian", "same_person")])
        lines = _custody_lines(uow, places)
        names = _user_names(uow)
        listing = {
            "places": [p.code for p in places],
            "lines": [line.__dict__ for line in lines],
        }
        record = CustodyHandover(
            occurred_at=clock.now(),
            from_user_id=from_id,
            to_user_id=to_user_id,
            witness=witness.strip(),
            note=note.strip(),
            listing=json.dumps(listing, ensure_ascii=False, sort_keys=True),
            recorded_by=session.actor.user_id,
        )
        uow.session.add(record)
        for p in places:
            p.custodian_id = to_user_id
            p.version += 1
        uow.session.flush()
        uow.audit.record(
            "custody.handover",
            object_type="custody_handover",
            object_id=record.id,
            details={
                "places": [p.code for p in places],
                "from": from_id,
                "to": to_user_id,
                "lines": len(lines),
            },
        )
        uow.commit()
        return HandoverSheet(
            record.id,
            record.occurred_at,
            names.get(from_id or -1, ""),
            receiver.display_name,
            record.witness,
            record.note,
            [p.code for p in places],
            lines,
        )


def get_handover(*, session: SignedIn, handover_id: int, clock: Clock) -> HandoverSheet:
    """A recorded hand-over (for printing it again)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        record = uow.session.get(CustodyHandover, handover_id)
        if record is None:
            raise NotFound(what="交接记录")
        names = _user_names(uow)
        listing = json.loads(record.listing)
        return HandoverSheet(
            record.id,
            record.occurred_at,
            names.get(record.from_user_id or -1, ""),
            names.get(record.to_user_id, ""),
            record.witness,
            record.note,
            list(listing["places"]),
            [HandoverLine(**line) for line in listing["lines"]],
        )


def list_archivists(*, session: SignedIn, clock: Clock) -> list[tuple[int, str]]:
    """Enabled archivists who may keep a secure place: (user id, display name)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "location.read")
        rows = uow.session.execute(
            select(UserAccount.id, UserAccount.display_name, UserAccount.username)
            .join(UserRole, UserRole.user_id == UserAccount.id)
            .where(UserRole.role == Role.ARCHIVIST.value, UserAccount.disabled.is_(False))
            .order_by(UserAccount.display_name)
        )
        return [(uid, f"{name}（{username}）") for uid, name, username in rows]
