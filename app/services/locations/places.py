"""Editing, deleting and reading places (the location tree)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.clock import Clock
from app.domain import locations as loc
from app.domain.locations import LocationKind
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.locations._common import _check_custodian, _get_location, _subtree, _user_names
from app.services.locations.occupancy import _marked_volumes_under, _used
from app.storage.models import (
    LocationMove,
    StorageLocation,
)


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
