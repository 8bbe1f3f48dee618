"""Archive boxes: registering them (盒号) and listing them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from app.clock import Clock
from app.domain import locations as loc
from app.domain.catalogue import (
    RETENTION_LABELS,
    SECRECY_LABELS,
    Retention,
    SecrecyLevel,
)
from app.errors import FieldError, ValidationFailed
from app.security import access
from app.services.auth import SignedIn
from app.services.common import actor_from_row, add_recorded, authorize
from app.services.locations._common import (
    _chunks,
    _codes,
    _get_location,
    _id,
    _slots_in_order,
    get_or_missing,
)
from app.services.locations.occupancy import _box_levels
from app.storage.models import (
    ArchiveBox,
    ReferenceCounter,
    StorageLocation,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork

BOX_COUNTER = "box"  # scope of the 盒号 counter in reference_counter (numbers never reused)


BOX_PREFIX = "H"


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
    """A box as lists show it (no titles: a box's text never carries personal data).

    Above the reader's clearance the level reads "受限" (``secrecy_level`` None).
    """

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
        add_recorded(uow, box, "box.create", object_type="box", details={"code": box.code})
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
    codes = _codes(uow, (b.location_id for b in boxes))
    # the level word only for a reader cleared for it, as titles are (issue 23)
    reader = actor_from_row(authorize(uow, session.actor, "location.read"))
    out = []
    for b in boxes:
        level = levels.get(b.id)
        shown = access.may_see(reader, level)
        out.append(
            BoxRow(
                id=b.id,
                code=b.code,
                category_code=b.category_code,
                year=b.year,
                retention=RETENTION_LABELS[Retention(b.retention)] if b.retention else "",
                capacity=b.capacity,
                volume_count=counts.get(b.id, 0),
                secrecy_level=level if shown else None,
                secrecy_label=(SECRECY_LABELS[SecrecyLevel(level)] if level else "")
                if shown
                else access.RESTRICTED,
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
        box = get_or_missing(uow, ArchiveBox, box_id, "档案盒")
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


def _boxes_under(uow: UnitOfWork, row: StorageLocation) -> list[ArchiveBox]:
    return _boxes_in(uow, _slots_in_order(uow, row))


def _boxes_in(uow: UnitOfWork, slots: Sequence[StorageLocation]) -> list[ArchiveBox]:
    """The boxes in ``slots``: by slot, then in the order they were put there."""
    rank_of = {s.id: i for i, s in enumerate(slots)}
    boxes: list[ArchiveBox] = []
    for chunk in _chunks(list(rank_of)):
        boxes += uow.session.scalars(select(ArchiveBox).where(ArchiveBox.location_id.in_(chunk)))
    boxes.sort(key=lambda b: (rank_of[b.location_id or 0], b.placed_at or b.created_at, b.id))
    return boxes
