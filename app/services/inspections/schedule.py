"""The half-yearly schedule (R41) and the parts of a room a session may cover."""

from __future__ import annotations

from sqlalchemy import func, select

from app.clock import Clock, as_utc
from app.domain import inspections as rules
from app.domain.inspection_rows import ScheduleRow, ScopeChoice
from app.domain.inspections import InspectionKind, Status
from app.domain.locations import LocationKind
from app.services.auth import SignedIn
from app.services.common import authorize, local_today
from app.services.inspections.base import find_room
from app.storage.models import InspectionSession, StorageLocation


def list_inspection_schedule(*, session: SignedIn, clock: Clock) -> list[ScheduleRow]:
    """Every store room with its next half-yearly inspection: 6 months after the last closed."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        rooms = uow.session.execute(
            select(
                StorageLocation.id,
                StorageLocation.code,
                StorageLocation.name,
                StorageLocation.created_at,
            )
            .where(StorageLocation.kind == LocationKind.STOREROOM.value)
            .order_by(StorageLocation.path_key)
        ).all()
        half = InspectionKind.HALF_YEARLY.value
        last = dict(
            uow.session.execute(
                select(InspectionSession.room_id, func.max(InspectionSession.inspected_on))
                .where(
                    InspectionSession.kind == half, InspectionSession.status == Status.CLOSED.value
                )
                .group_by(InspectionSession.room_id)
            ).all()
        )
        running = dict(
            uow.session.execute(
                select(InspectionSession.room_id, InspectionSession.number).where(
                    InspectionSession.kind == half, InspectionSession.status != Status.CLOSED.value
                )
            ).all()
        )
    out = []
    for rid, code, name, created in rooms:
        last_day = last.get(rid)
        due = rules.next_due(last_day, as_utc(created).astimezone().date())
        out.append(
            ScheduleRow(
                rid, code, name, last_day, due, rules.due_state(due, today), running.get(rid, "")
            )
        )
    return out


def list_scope_choices(*, session: SignedIn, room_id: int, clock: Clock) -> list[ScopeChoice]:
    """The 密集架, 柜 and 面 of a room, in tree order (for the scope of a new session)."""
    kinds = (LocationKind.SHELF.value, LocationKind.CABINET.value, LocationKind.FACE.value)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        room = find_room(uow, room_id)
        rows = uow.session.execute(
            select(StorageLocation.id, StorageLocation.code, StorageLocation.kind)
            .where(
                StorageLocation.path_key.startswith(room.path_key + "."),
                StorageLocation.kind.in_(kinds),
            )
            .order_by(StorageLocation.path_key)
        ).all()
        return [ScopeChoice(i, c, k) for i, c, k in rows]
