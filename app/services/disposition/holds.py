"""Legal holds (冻结, R46): placing, releasing, listing, and the queries other areas ask.

A hold names customers, volumes and/or a query of volumes (门类, 全宗, years). While it is
active it stops appraisal, destruction, customer deletion and audit archiving for everything in
scope; every refusal names the hold (:class:`app.errors.HoldInForce`). Only an approver other
than the one who placed it releases it.

The plain queries (:func:`holds_covering_customer`, :func:`holds_covering_volume`,
:func:`holds_covering_volumes`) take a unit of work, an ORM session or a connection, so any
service can ask inside its own transaction. A hold on a customer covers all their volumes;
a hold on a volume (or a query matching one) covers its customer too: deleting the customer
would destroy the volume's personal data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, false, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.clock import Clock
from app.domain.disposition import HoldRef, HoldState, VolumeQuery
from app.errors import DispositionRefused, FieldError, HoldInForce, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import authorize, checked_text, fetch, next_yearly_number, record_numbered
from app.storage.models import Customer, LegalHold, LegalHoldTarget, Volume
from app.storage.store import UnitOfWork

Executor = UnitOfWork | Session | Connection


def _db(source: Executor) -> Session | Connection:
    """The session or connection behind ``source``."""
    return source.session if isinstance(source, UnitOfWork) else source


def _active_holds(db: Session | Connection) -> list[tuple[int, str, str, str]]:
    """``(id, number, reason, query)`` of every active hold (there are few)."""
    rows = db.execute(
        select(LegalHold.id, LegalHold.number, LegalHold.reason, LegalHold.query)
        .where(LegalHold.state == HoldState.ACTIVE.value)
        .order_by(LegalHold.id)
    ).all()
    return [(int(i), str(n), str(r), str(q or "")) for i, n, r, q in rows]


def query_clause(query: VolumeQuery, volume: Any = Volume) -> Any:
    """SQL condition on ``volume`` columns: the volume matches ``query`` (empty: never)."""
    if query.is_empty():
        return false()
    parts = []
    if query.category_code:
        parts.append(volume.category_code == query.category_code)
    if query.fonds_code:
        parts.append(volume.fonds_code == query.fonds_code)
    if query.year_from is not None:
        parts.append(volume.year >= query.year_from)
    if query.year_to is not None:
        parts.append(volume.year <= query.year_to)
    return and_(*parts)


def holds_covering_volumes(source: Executor, volume_ids: Iterable[int]) -> dict[int, list[HoldRef]]:
    """The active holds covering each of ``volume_ids`` (volumes without one are left out)."""
    db = _db(source)
    ids = sorted(set(volume_ids))
    holds = _active_holds(db)
    if not ids or not holds:
        return {}
    refs = {hid: HoldRef(hid, number, reason) for hid, number, reason, _q in holds}
    found: dict[int, set[int]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        direct = db.execute(
            select(LegalHoldTarget.volume_id, LegalHoldTarget.hold_id).where(
                LegalHoldTarget.volume_id.in_(chunk), LegalHoldTarget.hold_id.in_(refs)
            )
        ).all()
        by_customer = db.execute(
            select(Volume.id, LegalHoldTarget.hold_id)
            .join(LegalHoldTarget, LegalHoldTarget.customer_id == Volume.customer_id)
            .where(Volume.id.in_(chunk), LegalHoldTarget.hold_id.in_(refs))
        ).all()
        for vid, hid in (*direct, *by_customer):
            if vid is not None:
                found.setdefault(int(vid), set()).add(int(hid))
        for hid, _n, _r, text in holds:
            query = VolumeQuery.from_json(text)
            if query.is_empty():
                continue
            for (vid,) in db.execute(
                select(Volume.id).where(Volume.id.in_(chunk), query_clause(query))
            ).all():
                found.setdefault(int(vid), set()).add(hid)
    return {vid: [refs[h] for h in sorted(hs)] for vid, hs in found.items()}


def any_hold_in_force(source: Executor) -> bool:
    """True when any hold is in force (lists of many rows ask each row only then)."""
    return bool(_active_holds(_db(source)))


def holds_covering_volume(source: Executor, volume_id: int) -> list[HoldRef]:
    """The active holds covering one volume (empty when it is free), oldest first."""
    return holds_covering_volumes(source, [volume_id]).get(volume_id, [])


def holds_covering_customer(source: Executor, customer_id: int) -> list[HoldRef]:
    """The active holds covering a customer: named, or through any of their volumes.

    Customer deletion (R8) asks this and refuses with :class:`HoldInForce` when it is not empty.
    """
    db = _db(source)
    holds = _active_holds(db)
    if not holds:
        return []
    found: set[int] = set()
    ids = [h[0] for h in holds]
    found.update(
        int(h)
        for (h,) in db.execute(
            select(LegalHoldTarget.hold_id).where(
                LegalHoldTarget.customer_id == customer_id, LegalHoldTarget.hold_id.in_(ids)
            )
        ).all()
    )
    found.update(
        int(h)
        for (h,) in db.execute(
            select(LegalHoldTarget.hold_id)
            .join(Volume, Volume.id == LegalHoldTarget.volume_id)
            .where(Volume.customer_id == customer_id, LegalHoldTarget.hold_id.in_(ids))
        ).all()
    )
    for hid, _n, _r, text in holds:
        query = VolumeQuery.from_json(text)
        if hid in found or query.is_empty():
            continue
        hit = db.execute(
            select(Volume.id).where(Volume.customer_id == customer_id, query_clause(query)).limit(1)
        ).first()
        if hit is not None:
            found.add(hid)
    return [HoldRef(hid, number, reason) for hid, number, reason, _q in holds if hid in found]


def held_volume_clause(source: Executor, volume: Any = Volume) -> Any:
    """SQL condition: ``volume`` is covered by an active hold (for queue filters, set-based)."""
    holds = _active_holds(_db(source))
    if not holds:
        return false()
    ids = [h[0] for h in holds]
    parts = [
        exists().where(LegalHoldTarget.volume_id == volume.id, LegalHoldTarget.hold_id.in_(ids)),
        exists().where(
            LegalHoldTarget.customer_id == volume.customer_id, LegalHoldTarget.hold_id.in_(ids)
        ),
    ]
    for _h, _n, _r, text in holds:
        query = VolumeQuery.from_json(text)
        if not query.is_empty():
            parts.append(query_clause(query, volume))
    return or_(*parts)


def _target_ids(db: Session | Connection, hold_ids: list[int], column: Any) -> list[int]:
    """The volume or customer ids (``column`` of the targets) the holds ``hold_ids`` name."""
    found = db.scalars(
        select(column).where(LegalHoldTarget.hold_id.in_(hold_ids), column.is_not(None))
    )
    return sorted({int(x) for x in found if x is not None})


def _volume_ids_in(
    db: Session | Connection, column: Any, keys: list[int], extra: list[Any]
) -> set[int]:
    """Ids of the volumes whose ``column`` is one of ``keys`` (500 at a time) and meet ``extra``."""
    found: set[int] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(int(v) for v in db.scalars(select(Volume.id).where(column.in_(chunk), *extra)))
    return found


def held_volume_ids(source: Executor, cond: Any = None) -> set[int]:
    """Ids of the volumes an active hold covers (and that meet ``cond``), from the holds' side.

    Volume targets, the volumes of customer targets (customer index) and each query's volumes:
    never a scan of every volume asking whether it is held.
    """
    db = _db(source)
    holds = _active_holds(db)
    if not holds:
        return set()
    ids = [h[0] for h in holds]
    extra = [cond] if cond is not None else []
    found: set[int] = set()
    # the targets first, as plain id lists: a sub-select here lets the planner scan volumes
    volumes = _target_ids(db, ids, LegalHoldTarget.volume_id)
    customers = _target_ids(db, ids, LegalHoldTarget.customer_id)
    found.update(_volume_ids_in(db, Volume.id, volumes, extra))
    found.update(_volume_ids_in(db, Volume.customer_id, customers, extra))
    for _h, _n, _r, text in holds:
        query = VolumeQuery.from_json(text)
        if not query.is_empty():
            found.update(
                int(v) for v in db.scalars(select(Volume.id).where(query_clause(query), *extra))
            )
    return found


def refuse_if_held(refs: Sequence[HoldRef]) -> None:
    """Raise :class:`HoldInForce` naming every hold in ``refs`` (nothing when empty)."""
    if refs:
        unique = {r.id: r for r in refs}
        raise HoldInForce(holds="；".join(r.label() for r in unique.values()))


# --- placing, releasing, listing ------------------------------------------------------------
@dataclass(frozen=True)
class HoldRow:
    """A hold for the list: what it covers, who placed and released it."""

    id: int
    number: str
    reason: str
    state: str
    state_label: str
    customers: int
    volumes: int
    query: str  # description of the query, "" when none
    created_by: str
    created_at: datetime
    released_by: str
    released_at: datetime | None
    release_reason: str


def place_hold(
    *,
    session: SignedIn,
    reason: str,
    clock: Clock,
    customer_ids: Sequence[int] = (),
    volume_ids: Sequence[int] = (),
    query: VolumeQuery | None = None,
) -> HoldRef:
    """Place a hold on customers, volumes and/or a query of volumes; returns it (R46)."""
    reason = checked_text("reason", reason, 500, required=True)
    query = query or VolumeQuery()
    customers = sorted(set(customer_ids))
    volumes = sorted(set(volume_ids))
    if not customers and not volumes and query.is_empty():
        raise DispositionRefused(reason="hold_empty")
    with session.uow(clock) as uow:
        uow.claim_writes()
        user = authorize(uow, session.actor, "disposition.hold")
        known_c = set(uow.session.scalars(select(Customer.id).where(Customer.id.in_(customers))))
        known_v = set(uow.session.scalars(select(Volume.id).where(Volume.id.in_(volumes))))
        if len(known_c) != len(customers):
            raise ValidationFailed([FieldError("customer", "not_found")])
        if len(known_v) != len(volumes):
            raise ValidationFailed([FieldError("volume", "not_found")])
        now = clock.now()
        hold = LegalHold(
            number=next_yearly_number(uow, "DJ", now.astimezone().year, digits=4),
            reason=reason,
            state=HoldState.ACTIVE.value,
            query=query.to_json(),
            created_by=user.id,
            created_by_name=user.display_name,
            created_at=now,
        )
        uow.session.add(hold)
        uow.session.flush()
        uow.session.add_all(
            [LegalHoldTarget(hold_id=hold.id, customer_id=c) for c in customers]
            + [LegalHoldTarget(hold_id=hold.id, volume_id=v) for v in volumes]
        )
        record_numbered(
            uow,
            "disposition.hold_place",
            "legal_hold",
            hold,
            reason=reason,
            customers=customers,
            volumes=volumes,
            query=query.describe(),
        )
        uow.commit()
        return HoldRef(hold.id, hold.number, reason)


def release_hold(*, session: SignedIn, hold_id: int, reason: str, clock: Clock) -> None:
    """Release a hold: an approver, never the one who placed it (R46)."""
    reason = checked_text("reason", reason, 500, required=True)
    with session.uow(clock) as uow:
        uow.claim_writes()
        user = authorize(uow, session.actor, "disposition.hold_release")
        hold = fetch(uow, LegalHold, hold_id, "hold")
        if hold.state != HoldState.ACTIVE.value:
            raise DispositionRefused(reason="hold_released", number=hold.number)
        if hold.created_by == user.id:
            raise DispositionRefused(reason="release_own_hold")
        hold.state = HoldState.RELEASED.value
        hold.released_by = user.id
        hold.released_by_name = user.display_name
        hold.released_at = clock.now()
        hold.release_reason = reason
        hold.version += 1
        record_numbered(uow, "disposition.hold_release", "legal_hold", hold, reason=reason)
        uow.commit()


def list_holds(*, session: SignedIn, clock: Clock, active_only: bool = False) -> list[HoldRow]:
    """Holds, newest first, with what each covers."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "disposition.read")
        stmt = select(LegalHold).order_by(LegalHold.id.desc())
        if active_only:
            stmt = stmt.where(LegalHold.state == HoldState.ACTIVE.value)
        holds = list(uow.session.scalars(stmt))
        targets = uow.session.execute(
            select(LegalHoldTarget.hold_id, LegalHoldTarget.customer_id, LegalHoldTarget.volume_id)
        ).all()
        customers = Counter(hid for hid, cid, _vid in targets if cid is not None)
        volumes = Counter(hid for hid, _cid, vid in targets if vid is not None)
        return [
            HoldRow(
                id=h.id,
                number=h.number,
                reason=h.reason,
                state=h.state,
                state_label=HoldState(h.state).label,
                customers=customers.get(h.id, 0),
                volumes=volumes.get(h.id, 0),
                query=VolumeQuery.from_json(h.query).describe(),
                created_by=h.created_by_name,
                created_at=h.created_at,
                released_by=h.released_by_name,
                released_at=h.released_at,
                release_reason=h.release_reason,
            )
            for h in holds
        ]
