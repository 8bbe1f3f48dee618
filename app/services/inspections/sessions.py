"""Inspection sessions: start (kind, room, scope, ≥ 2 inspectors), list, pause, resume, close."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update

from app.clock import Clock, as_utc
from app.domain import inspections as rules
from app.domain.inspection_rows import InspectionDraft, InspectionRow
from app.domain.inspections import InspectionKind, Resolution, ScopeKind, Status
from app.domain.locations import LocationKind
from app.errors import FieldError, UnresolvedDifferences, ValidationFailed
from app.services.auth import SignedIn
from app.services.common import (
    authorize,
    count_where,
    local_today,
    member_of,
    next_yearly_number,
)
from app.services.inspections.base import (
    LIVE,
    NUMBER_PREFIX,
    active_user,
    audit_session,
    find_room,
    find_session,
    load_settings,
    require,
    session_to_change,
    unresolved,
)
from app.storage.models import (
    InspectionCheck,
    InspectionDifference,
    InspectionExpected,
    InspectionFound,
    InspectionSession,
    StorageLocation,
)
from app.storage.store import UnitOfWork


def _check_scope(
    uow: UnitOfWork, room: StorageLocation, scope: ScopeKind, ids: Sequence[int]
) -> tuple[list[int], str]:
    if scope is ScopeKind.ROOM:
        return [room.id], f"{room.code} {rules.SCOPE_LABELS[scope]}"
    rows = list(
        uow.session.scalars(select(StorageLocation).where(StorageLocation.id.in_(list(ids))))
    )
    inside = [r for r in rows if r.path_key.startswith(room.path_key + ".")]
    if scope is ScopeKind.SHELVES:
        kinds = {LocationKind.SHELF.value, LocationKind.CABINET.value}
        ok = bool(ids) and len(inside) == len(set(ids)) and all(r.kind in kinds for r in inside)
        if not ok:
            raise ValidationFailed([FieldError("scope", "scope_shelves")])
        inside.sort(key=lambda r: r.path_key)
        return [r.id for r in inside], "密集架/柜 " + "、".join(r.code for r in inside)
    kinds = {LocationKind.FACE.value, LocationKind.CABINET.value}
    if len(set(ids)) != 1 or len(inside) != 1 or inside[0].kind not in kinds:
        raise ValidationFailed([FieldError("scope", "scope_face")])
    return [inside[0].id], f"面 {inside[0].code}"


def start_inspection(*, session: SignedIn, draft: InspectionDraft, clock: Clock) -> int:
    """Open a session (kind, room, scope, date, ≥ 2 inspectors); returns its id."""
    errors: list[FieldError] = []
    kind = member_of(errors, InspectionKind, draft.kind, FieldError("inspection_kind", "required"))
    scope = member_of(errors, ScopeKind, draft.scope_kind, FieldError("scope", "required"))
    if draft.room_id is None:
        errors.append(FieldError("room", "required"))
    if draft.inspected_on is None:
        errors.append(FieldError("inspected_on", "required"))
    elif draft.inspected_on > local_today(clock):
        errors.append(FieldError("inspected_on", "not_future"))
    named = [i for i in draft.inspectors if i.user_id is not None or i.name.strip()]
    if any(len(i.name.strip()) > 64 for i in named):
        errors.append(FieldError("inspectors", "too_long", {"max": 64}))
    if len(draft.note) > 2000:
        errors.append(FieldError("note", "too_long", {"max": 2000}))
    if errors:
        raise ValidationFailed(errors)
    assert draft.room_id is not None and draft.inspected_on is not None
    assert kind is not None and scope is not None
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "inspection.write")
        room = find_room(uow, draft.room_id)
        ids, label = _check_scope(uow, room, scope, draft.scope_ids)
        people: list[dict[str, Any]] = []
        for person in named:
            if person.user_id is not None:
                user = active_user(uow, person.user_id, "inspectors")
                people.append({"user_id": user.id, "name": user.display_name})
            else:
                people.append({"user_id": None, "name": person.name.strip()})
        if not rules.inspector_names_ok([p["name"] for p in people]):
            raise ValidationFailed([FieldError("inspectors", "two_inspectors")])
        now = clock.now()
        row = InspectionSession(
            number=next_yearly_number(uow, NUMBER_PREFIX, draft.inspected_on.year, digits=4),
            kind=kind.value,
            room_id=room.id,
            scope_kind=scope.value,
            scope_ids=json.dumps(ids),
            scope_label=label[:200],
            inspected_on=draft.inspected_on,
            inspectors=json.dumps(people, ensure_ascii=False),
            status=Status.OPEN.value,
            paused=False,
            measures="",
            review="",
            note=draft.note.strip(),
            fixity="",
            created_at=now,
            created_by=session.actor.user_id,
            version=1,
        )
        uow.session.add(row)
        uow.session.flush()
        for seq, text in enumerate(load_settings(uow).checklist, 1):
            uow.session.add(
                InspectionCheck(session_id=row.id, seq=seq, label=text, ok=None, note="")
            )
        details = {"number": row.number, "kind": kind.value, "scope": label}
        audit_session(uow, "inspection.start", row, {**details, "inspectors": len(people)})
        return row.id


def _row(uow: UnitOfWork, row: InspectionSession) -> InspectionRow:
    expected = count_where(uow, InspectionExpected.session_id == row.id)
    found = count_where(uow, InspectionFound.session_id == row.id)
    open_diffs = count_where(uow, *unresolved(row.id))
    room = uow.session.get(StorageLocation, row.room_id)
    place = uow.session.get(StorageLocation, row.current_place_id) if row.current_place_id else None
    status = Status(row.status)
    return InspectionRow(
        row.id,
        row.number,
        row.kind,
        rules.KIND_LABELS[InspectionKind(row.kind)],
        row.room_id,
        room.code if room else "",
        row.scope_label,
        row.inspected_on,
        tuple(p["name"] for p in json.loads(row.inspectors)),
        row.status,
        rules.STATUS_LABELS[status] + ("（暂停）" if row.paused else ""),
        row.paused,
        expected,
        found,
        open_diffs,
        place.code if place else "",
        row.measures,
        row.review,
        row.note,
        as_utc(row.closed_at) if row.closed_at else None,
    )


def get_inspection(*, session: SignedIn, inspection_id: int, clock: Clock) -> InspectionRow:
    """One session's header and counts."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        return _row(uow, find_session(uow, inspection_id))


def list_inspections(
    *, session: SignedIn, clock: Clock, include_closed: bool = True, limit: int = 200
) -> list[InspectionRow]:
    """Sessions, newest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        stmt = select(InspectionSession).order_by(InspectionSession.id.desc()).limit(limit)
        if not include_closed:
            stmt = stmt.where(InspectionSession.status != Status.CLOSED.value)
        return [_row(uow, r) for r in uow.session.scalars(stmt)]


def _set_paused(session: SignedIn, inspection_id: int, paused: bool, clock: Clock) -> None:
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        row = find_session(uow, inspection_id)
        require(row, "暂停" if paused else "继续", *LIVE, paused_ok=True)
        row.paused = paused
        row.version += 1
        action = "inspection.pause" if paused else "inspection.resume"
        audit_session(uow, action, row, {"number": row.number})


def pause_inspection(*, session: SignedIn, inspection_id: int, clock: Clock) -> None:
    """Pause a session (to be continued on another day); scanning is refused meanwhile."""
    _set_paused(session, inspection_id, True, clock)


def resume_inspection(*, session: SignedIn, inspection_id: int, clock: Clock) -> None:
    """Continue a paused session."""
    _set_paused(session, inspection_id, False, clock)


def close_inspection(
    *,
    session: SignedIn,
    inspection_id: int,
    measures: str,
    clock: Clock,
    review: str = "",
    carry_over: bool = False,
) -> None:
    """Close a session: every difference resolved, or carried over explicitly (``carry_over``).

    The checklist must be complete (each line 正常 or 异常).
    """
    if len(measures) > 4000 or len(review) > 4000:
        raise ValidationFailed([FieldError("measures", "too_long", {"max": 4000})])
    with session.uow(clock) as uow:
        row = session_to_change(
            uow, session.actor, inspection_id, "结束检查", Status.OPEN, Status.FINDINGS
        )
        unchecked = count_where(
            uow, InspectionCheck.session_id == row.id, InspectionCheck.ok.is_(None)
        )
        if unchecked:
            raise ValidationFailed(
                [FieldError("checklist", "checklist_incomplete", {"n": unchecked})]
            )
        open_diffs = count_where(uow, *unresolved(row.id))
        if open_diffs and not carry_over:
            raise UnresolvedDifferences(count=open_diffs)
        now = clock.now()
        if open_diffs:
            uow.session.execute(
                update(InspectionDifference)
                .where(*unresolved(row.id))
                .values(
                    resolution=Resolution.CARRIED.value,
                    note="",
                    resolved_at=now,
                    resolved_by=session.actor.user_id,
                )
            )
        row.measures = measures.strip()
        row.review = review.strip()
        row.status = Status.CLOSED.value
        row.paused = False
        row.closed_at = now
        row.closed_by = session.actor.user_id
        row.version += 1
        audit_session(
            uow, "inspection.close", row, {"number": row.number, "carried_over": open_diffs}
        )
