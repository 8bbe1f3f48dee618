"""Bulk moves: preview, apply all or nothing, and undo of the last one (R23)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.clock import Clock
from app.errors import FieldError, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize
from app.services.locations._common import (
    MARKED,
    BulkMoveRefused,
    MoveReason,
    UndoRefused,
    _codes,
    _get_location,
)
from app.services.locations.occupancy import _box_levels, _free_slots
from app.services.locations.placing import MoveRequest, Target, _apply, _plan_moves, _Planned
from app.storage.models import (
    LocationMove,
    MoveBatch,
)
from app.storage.store import UnitOfWork


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


def _move_batch(
    uow: UnitOfWork,
    session: SignedIn,
    requests: Sequence[MoveRequest],
    reason: MoveReason,
    note: str,
    clock: Clock,
    *,
    undo_of: int | None = None,
) -> MoveBatch:
    """Plan ``requests`` together and apply them as one batch (all or nothing).

    Raises BulkMoveRefused (with the number of bad rows) when any row is invalid.
    """
    planned = _plan_moves(uow, session, requests)
    bad = [p for p in planned if p.problem]
    if bad:
        raise BulkMoveRefused(bad=len(bad), total=len(planned), first=bad[0].label)
    batch = MoveBatch(
        occurred_at=clock.now(),
        actor_id=session.actor.user_id,
        reason=reason.value,
        note=note,
        count=len(planned),
        undo_of=undo_of,
    )
    uow.session.add(batch)
    uow.session.flush()
    _apply(uow, planned, reason, note, clock, batch.id)
    return batch


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
        batch = _move_batch(uow, session, requests, reason, note.strip(), clock)
        uow.audit.record(
            "move.bulk",
            object_type="move_batch",
            object_id=batch.id,
            details={"count": batch.count, "reason": reason.value},
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
        note = f"撤销批量移动 #{batch.id}"
        undo = _move_batch(
            uow, session, requests, MoveReason.RESHELVE, note, clock, undo_of=batch.id
        )
        batch.undone_at = clock.now()
        uow.audit.record(
            "move.bulk_undo",
            object_type="move_batch",
            object_id=batch.id,
            details={"count": undo.count, "undo_batch": undo.id},
        )
        uow.commit()
        return undo.id
