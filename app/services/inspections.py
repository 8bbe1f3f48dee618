"""Inspections (R25, R41, R42, R13): schedule, sessions, climate log, checklist, scanned count.

A session goes open → counting → findings → closed. Counting starts by writing the expected list
(what is placed in the scope − on loan − in repair) in one ``INSERT … SELECT``; each scan writes
an :class:`InspectionScan` and marks volumes found, so a count interrupted by a restart goes on
where it stopped. The reconciliation is set-based SQL over those tables (100,000 × 100,000 in a
few hundred milliseconds). Scanning never returns a loan and never moves anything (R42): every
difference is settled by an explicit action of the operator.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, insert, literal, or_, select, update
from sqlalchemy.orm import aliased

from app.clock import Clock, as_utc
from app.domain import inspections as rules
from app.domain import scan_codes
from app.domain.catalogue import VolumeState
from app.domain.inspections import (
    ClimateLimits,
    ConditionKind,
    DifferenceKind,
    InspectionKind,
    Resolution,
    RoomType,
    ScopeKind,
    Status,
    TaskKind,
    TaskState,
)
from app.domain.locations import LocationKind
from app.domain.roles import may
from app.errors import (
    FieldError,
    InspectionPaused,
    InspectionStateRefused,
    UnresolvedDifferences,
    ValidationFailed,
    VolumeNotAvailable,
)
from app.services import locations
from app.services.auth import SignedIn
from app.services.common import authorize
from app.storage.models import (
    ArchiveBox,
    ArchiveItem,
    ConditionRecord,
    Customer,
    EnvironmentReading,
    InspectionCheck,
    InspectionDifference,
    InspectionExpected,
    InspectionFound,
    InspectionScan,
    InspectionSession,
    ItemFile,
    Loan,
    ReferenceCounter,
    RepairTask,
    StorageLocation,
    UserAccount,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork

CHECKLIST_SETTING = "inspection_checklist"
LIMITS_SETTING = "inspection_climate_limits"
ROOM_TYPES_SETTING = "inspection_room_types"
NUMBER_PREFIX = "JC"
TASK_PREFIX = "XF"
UNAVAILABLE = (VolumeState.ON_LOAN.value, VolumeState.IN_REPAIR.value, VolumeState.DESTROYED.value)


# --- settings ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class InspectionSettings:
    """The checklist, the climate limits per room type and each room's type."""

    checklist: tuple[str, ...]
    limits: dict[RoomType, ClimateLimits]
    room_types: dict[int, RoomType]

    def limits_for(self, room_id: int) -> ClimateLimits:
        """The limits of a room (its type's; 纸质档案库房 unless set)."""
        return self.limits[self.room_types.get(room_id, RoomType.PAPER)]


def _settings(uow: UnitOfWork) -> InspectionSettings:
    raw = uow.settings.raw()
    checklist = raw.get(CHECKLIST_SETTING)
    items = tuple(str(x) for x in checklist) if isinstance(checklist, list) and checklist else None
    limits = dict(rules.DEFAULT_LIMITS)
    stored = raw.get(LIMITS_SETTING)
    if isinstance(stored, dict):
        for key, values in stored.items():
            try:
                limits[RoomType(key)] = ClimateLimits(**{k: int(v) for k, v in values.items()})
            except (ValueError, TypeError):
                continue  # a damaged setting falls back to the default of that type
    types: dict[int, RoomType] = {}
    stored_types = raw.get(ROOM_TYPES_SETTING)
    if isinstance(stored_types, dict):
        for key, value in stored_types.items():
            try:
                types[int(key)] = RoomType(value)
            except ValueError:
                continue
    return InspectionSettings(items or rules.DEFAULT_CHECKLIST, limits, types)


def get_inspection_settings(*, session: SignedIn, clock: Clock) -> InspectionSettings:
    """The configured checklist and climate limits (for inspectors and the administrator)."""
    with session.uow(clock) as uow:
        action = "inspection.settings" if may(session.actor.roles, "inspection.settings") else ""
        authorize(uow, session.actor, action or "inspection.read")
        return _settings(uow)


def _limit_errors(key: str, lim: ClimateLimits) -> list[FieldError]:
    errors: list[FieldError] = []
    if not -300 <= lim.t_min < lim.t_max <= 600:
        errors.append(FieldError(f"climate_t.{key}", "climate_range", {"lo": -30, "hi": 60}))
    if not 0 <= lim.rh_min < lim.rh_max <= 1000:
        errors.append(FieldError(f"climate_rh.{key}", "climate_range", {"lo": 0, "hi": 100}))
    if not 0 < lim.t_swing <= 200 or not 0 < lim.rh_swing <= 500:
        errors.append(FieldError(f"climate_swing.{key}", "climate_swing"))
    return errors


def set_inspection_settings(
    *,
    session: SignedIn,
    checklist: Sequence[str],
    limits: dict[RoomType, ClimateLimits],
    clock: Clock,
    room_types: dict[int, RoomType] | None = None,
) -> None:
    """Change the checklist (for sessions started from now on) and the climate limits.

    ``room_types`` (None: kept) says which limits each room follows.
    """
    items = [c.strip() for c in checklist if c.strip()]
    errors: list[FieldError] = []
    if not items:
        errors.append(FieldError("checklist", "required"))
    elif len(items) > rules.MAX_CHECKLIST or any(len(c) > 100 for c in items):
        errors.append(FieldError("checklist", "checklist_size", {"max": rules.MAX_CHECKLIST}))
    elif len(set(items)) != len(items):
        errors.append(FieldError("checklist", "checklist_twice"))
    for kind, lim in limits.items():
        errors += _limit_errors(kind.value, lim)
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.settings")
        if room_types is None:
            room_types = _settings(uow).room_types
        for room_id in room_types:
            _room(uow, room_id)
        uow.settings.put(CHECKLIST_SETTING, items)
        uow.settings.put(LIMITS_SETTING, {k.value: _limits_dict(v) for k, v in limits.items()})
        uow.settings.put(ROOM_TYPES_SETTING, {str(k): v.value for k, v in room_types.items()})
        uow.audit.record(
            "inspection.settings",
            object_type="setting",
            object_id="inspections",
            details={"checklist": len(items), "limits": sorted(k.value for k in limits)},
        )
        uow.commit()


def _limits_dict(lim: ClimateLimits) -> dict[str, int]:
    return {
        "t_min": lim.t_min,
        "t_max": lim.t_max,
        "rh_min": lim.rh_min,
        "rh_max": lim.rh_max,
        "t_swing": lim.t_swing,
        "rh_swing": lim.rh_swing,
    }


def set_room_type(*, session: SignedIn, room_id: int, room_type: str, clock: Clock) -> None:
    """Say which climate limits a room follows (纸质档案库房, 音像/磁性载体库房, 其他)."""
    try:
        chosen = RoomType(room_type)
    except ValueError:
        raise ValidationFailed([FieldError("room_type", "required")]) from None
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        room = _room(uow, room_id)
        types = dict(_settings(uow).room_types)
        before = types.get(room.id, RoomType.PAPER)
        types[room.id] = chosen
        uow.settings.put(ROOM_TYPES_SETTING, {str(k): v.value for k, v in types.items()})
        uow.audit.record(
            "inspection.room_type",
            object_type="storage_location",
            object_id=room.id,
            details={"before": before.value, "after": chosen.value},
        )
        uow.commit()


# --- helpers -----------------------------------------------------------------------------------
def _today(clock: Clock) -> date:
    return clock.now().astimezone().date()


def _room(uow: UnitOfWork, room_id: int) -> StorageLocation:
    row = uow.session.get(StorageLocation, room_id)
    if row is None or row.kind != LocationKind.STOREROOM.value:
        raise locations.NotFound(what="库房")
    return row


def _get(uow: UnitOfWork, inspection_id: int) -> InspectionSession:
    row = uow.session.get(InspectionSession, inspection_id)
    if row is None:
        raise locations.NotFound(what="检查记录")
    return row


def _require(row: InspectionSession, step: str, *allowed: Status, paused_ok: bool = False) -> None:
    if Status(row.status) not in allowed:
        raise InspectionStateRefused(status=rules.STATUS_LABELS[Status(row.status)], step=step)
    if row.paused and not paused_ok:
        raise InspectionPaused(number=row.number)


def _next_number(uow: UnitOfWork, prefix: str, year: int) -> str:
    scope = f"{prefix}:{year}"
    counter = uow.session.get(ReferenceCounter, scope)
    if counter is None:
        counter = ReferenceCounter(scope=scope, last=0)
        uow.session.add(counter)
    counter.last += 1
    return f"{prefix}{year}-{counter.last:04d}"


def _scope_places(uow: UnitOfWork, row: InspectionSession) -> Any:
    """A subquery of every place id in the session's scope (the scope nodes and below)."""
    ids = [int(i) for i in json.loads(row.scope_ids)]
    keys = list(
        uow.session.scalars(select(StorageLocation.path_key).where(StorageLocation.id.in_(ids)))
    )
    return select(StorageLocation.id).where(
        or_(
            StorageLocation.id.in_(ids),
            *[StorageLocation.path_key.startswith(k + ".") for k in keys],
        )
    )


def _home_expr() -> Any:
    return func.coalesce(ArchiveBox.location_id, VolumePlace.location_id)


# --- schedule (R41) ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduleRow:
    """One store room in the half-yearly schedule."""

    room_id: int
    room_code: str
    room_name: str
    last_closed: date | None
    due_on: date
    state: rules.DueState
    open_session: str  # the number of a half-yearly session in progress, or ""

    @property
    def state_label(self) -> str:
        """未到期 / 即将到期 / 已逾期."""
        return rules.DUE_LABELS[self.state]


def list_inspection_schedule(*, session: SignedIn, clock: Clock) -> list[ScheduleRow]:
    """Every store room with its next half-yearly inspection: 6 months after the last closed."""
    today = _today(clock)
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


# --- sessions ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Inspector:
    """An inspector: a user of the app (``user_id``) or a named person."""

    name: str = ""
    user_id: int | None = None


@dataclass(frozen=True)
class InspectionDraft:
    """What starting a session needs."""

    kind: str
    room_id: int | None
    scope_kind: str = ScopeKind.ROOM.value
    scope_ids: tuple[int, ...] = ()
    inspected_on: date | None = None
    inspectors: tuple[Inspector, ...] = ()
    note: str = ""


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
    try:
        kind = InspectionKind(draft.kind)
    except ValueError:
        errors.append(FieldError("inspection_kind", "required"))
    try:
        scope = ScopeKind(draft.scope_kind)
    except ValueError:
        errors.append(FieldError("scope", "required"))
    if draft.room_id is None:
        errors.append(FieldError("room", "required"))
    if draft.inspected_on is None:
        errors.append(FieldError("inspected_on", "required"))
    elif draft.inspected_on > _today(clock):
        errors.append(FieldError("inspected_on", "not_future"))
    named = [i for i in draft.inspectors if i.user_id is not None or i.name.strip()]
    if any(len(i.name.strip()) > 64 for i in named):
        errors.append(FieldError("inspectors", "too_long", {"max": 64}))
    if len(draft.note) > 2000:
        errors.append(FieldError("note", "too_long", {"max": 2000}))
    if errors:
        raise ValidationFailed(errors)
    assert draft.room_id is not None and draft.inspected_on is not None
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "inspection.write")
        room = _room(uow, draft.room_id)
        ids, label = _check_scope(uow, room, scope, draft.scope_ids)
        people: list[dict[str, Any]] = []
        for person in named:
            if person.user_id is not None:
                user = uow.session.get(UserAccount, person.user_id)
                if user is None or user.disabled:
                    raise ValidationFailed([FieldError("inspectors", "unknown_user")])
                people.append({"user_id": user.id, "name": user.display_name})
            else:
                people.append({"user_id": None, "name": person.name.strip()})
        if not rules.inspector_names_ok([p["name"] for p in people]):
            raise ValidationFailed([FieldError("inspectors", "two_inspectors")])
        now = clock.now()
        row = InspectionSession(
            number=_next_number(uow, NUMBER_PREFIX, draft.inspected_on.year),
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
        for seq, text in enumerate(_settings(uow).checklist, 1):
            uow.session.add(
                InspectionCheck(session_id=row.id, seq=seq, label=text, ok=None, note="")
            )
        uow.audit.record(
            "inspection.start",
            object_type="inspection",
            object_id=row.id,
            details={
                "number": row.number,
                "kind": kind.value,
                "scope": label,
                "inspectors": len(people),
            },
        )
        uow.commit()
        return row.id


@dataclass(frozen=True)
class InspectionRow:
    """A session as listed and shown in its header."""

    id: int
    number: str
    kind: str
    kind_label: str
    room_id: int
    room_code: str
    scope_label: str
    inspected_on: date
    inspectors: tuple[str, ...]
    status: str
    status_label: str
    paused: bool
    expected: int
    found: int
    open_differences: int
    current_place: str
    measures: str
    review: str
    note: str
    closed_at: datetime | None


def _row(uow: UnitOfWork, row: InspectionSession) -> InspectionRow:
    def count(stmt: Any) -> int:
        return int(uow.session.scalar(stmt) or 0)

    expected = count(select(func.count()).where(InspectionExpected.session_id == row.id))
    found = count(select(func.count()).where(InspectionFound.session_id == row.id))
    open_diffs = count(
        select(func.count()).where(
            InspectionDifference.session_id == row.id, InspectionDifference.resolution == ""
        )
    )
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
        return _row(uow, _get(uow, inspection_id))


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
        row = _get(uow, inspection_id)
        _require(
            row,
            "暂停" if paused else "继续",
            Status.OPEN,
            Status.COUNTING,
            Status.FINDINGS,
            paused_ok=True,
        )
        row.paused = paused
        row.version += 1
        uow.audit.record(
            "inspection.pause" if paused else "inspection.resume",
            object_type="inspection",
            object_id=row.id,
            details={"number": row.number},
        )
        uow.commit()


def pause_inspection(*, session: SignedIn, inspection_id: int, clock: Clock) -> None:
    """Pause a session (to be continued on another day); scanning is refused meanwhile."""
    _set_paused(session, inspection_id, True, clock)


def resume_inspection(*, session: SignedIn, inspection_id: int, clock: Clock) -> None:
    """Continue a paused session."""
    _set_paused(session, inspection_id, False, clock)


# --- counting (R42) ----------------------------------------------------------------------------
def begin_counting(*, session: SignedIn, inspection_id: int, clock: Clock) -> int:
    """Write the expected list (placed in scope − on loan − in repair); returns its size."""
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "inspection.write")
        row = _get(uow, inspection_id)
        _require(row, "开始清点", Status.OPEN)
        places = _scope_places(uow, row)
        out_on_loan = select(Loan.volume_id).where(Loan.state == "out")
        source = (
            select(
                literal(row.id),
                VolumePlace.volume_id,
                VolumePlace.box_id,
                _home_expr(),
            )
            .select_from(VolumePlace)
            .outerjoin(ArchiveBox, ArchiveBox.id == VolumePlace.box_id)
            .join(Volume, Volume.id == VolumePlace.volume_id)
            .where(
                _home_expr().in_(places),
                Volume.state.not_in(UNAVAILABLE),
                VolumePlace.volume_id.not_in(out_on_loan),
            )
        )
        uow.session.execute(
            insert(InspectionExpected).from_select(
                ["session_id", "volume_id", "box_id", "location_id"], source
            )
        )
        expected = int(
            uow.session.scalar(select(func.count()).where(InspectionExpected.session_id == row.id))
            or 0
        )
        row.status = Status.COUNTING.value
        row.version += 1
        uow.audit.record(
            "inspection.count_start",
            object_type="inspection",
            object_id=row.id,
            details={"number": row.number, "expected": expected},
        )
        uow.commit()
        return expected


@dataclass(frozen=True)
class ScanAck:
    """What one scan did, shown at once (a scanner sends a code every ~0.5 s)."""

    verdict: str  # place | found | misplaced | on_loan_seen | unexpected | again
    code: str
    detail: str  # e.g. the volume's registered place, the number of volumes in a box
    found: int
    expected: int


VERDICT_LABELS = {
    "place": "位置",
    "found": "已清点",
    "misplaced": "错位",
    "on_loan_seen": "借出/在修却在架",
    "unexpected": "账外",
    "again": "重复扫描",
}


def _resolve_code(uow: UnitOfWork, code: str) -> tuple[str, int | None]:
    lid = uow.session.scalar(select(StorageLocation.id).where(StorageLocation.code == code))
    if lid is not None:
        return "location", lid
    bid = uow.session.scalar(select(ArchiveBox.id).where(ArchiveBox.code == code))
    if bid is not None:
        return "box", bid
    vid = uow.session.scalar(
        select(Volume.id).where(Volume.reference_code.in_(locations._reference_variants(code)))
    )
    if vid is not None:
        return "volume", vid
    return "unknown", None


def _verdict(
    uow: UnitOfWork, row: InspectionSession, volume_id: int, seen: int | None
) -> tuple[str, str]:
    """The verdict (found, misplaced, on_loan_seen, unexpected) of a volume seen at ``seen``."""
    exp = uow.session.get(InspectionExpected, (row.id, volume_id))
    volume = uow.session.get(Volume, volume_id)
    if exp is not None:
        if (
            seen is not None
            and exp.location_id is not None
            and not _under(uow, exp.location_id, seen)
        ):
            return "misplaced", _code(uow, exp.location_id)
        return "found", ""
    state = volume.state if volume else ""
    on_loan = uow.session.scalar(
        select(Loan.id).where(Loan.volume_id == volume_id, Loan.state == "out")
    )
    if on_loan is not None or state in (VolumeState.ON_LOAN.value, VolumeState.IN_REPAIR.value):
        return "on_loan_seen", "借出" if on_loan is not None or state == "on_loan" else "在修"
    place = uow.session.get(VolumePlace, volume_id)
    if place is None:
        return "unexpected", "未上架"
    home = locations._home_location(uow, place)
    return "misplaced", _code(uow, home)


def _under(uow: UnitOfWork, home_id: int, seen_id: int) -> bool:
    if home_id == seen_id:
        return True
    home = uow.session.get(StorageLocation, home_id)
    seen = uow.session.get(StorageLocation, seen_id)
    return bool(home and seen and home.path_key.startswith(seen.path_key + "."))


def _code(uow: UnitOfWork, location_id: int | None) -> str:
    if location_id is None:
        return ""
    row = uow.session.get(StorageLocation, location_id)
    return row.code if row else ""


def record_scan(*, session: SignedIn, inspection_id: int, text: str, clock: Clock) -> ScanAck:
    """Count one scanned code: a place label (where the next items are), a box or a volume.

    Never returns a loan and never moves anything (R42). Raises locations.ScanRejected on a
    wrong check character (nothing recorded: scan again).
    """
    result, scanned = scan_codes.parse_scan(text)
    if result is scan_codes.ScanResult.NOT_A_CODE:
        raise ValidationFailed([FieldError("scan", "not_a_code")])
    if result is scan_codes.ScanResult.BAD_CHECK or scanned is None:
        raise locations.ScanRejected()
    code = scanned.code
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "inspection.write")
        row = _get(uow, inspection_id)
        _require(row, "扫码清点", Status.COUNTING)
        kind, object_id = _resolve_code(uow, code)
        seen = row.current_place_id
        scan = InspectionScan(
            session_id=row.id,
            scanned_at=clock.now(),
            code=code,
            kind=kind,
            object_id=object_id,
            place_id=seen,
        )
        uow.session.add(scan)
        uow.session.flush()
        detail = ""
        if kind == "location":
            row.current_place_id = object_id
            verdict = "place"
            inside = uow.session.scalar(
                select(func.count()).where(
                    StorageLocation.id == object_id, StorageLocation.id.in_(_scope_places(uow, row))
                )
            )
            if not inside:
                detail = "不在本次检查范围内"
        elif kind == "unknown":
            verdict, detail = "unexpected", "登记中没有"
        else:
            if kind == "box":
                vids = list(
                    uow.session.scalars(
                        select(VolumePlace.volume_id).where(VolumePlace.box_id == object_id)
                    )
                )
            else:
                assert object_id is not None
                vids = [object_id]
            already = set(
                uow.session.scalars(
                    select(InspectionFound.volume_id).where(
                        InspectionFound.session_id == row.id, InspectionFound.volume_id.in_(vids)
                    )
                )
            )
            if vids:
                uow.session.execute(
                    delete(InspectionFound).where(
                        InspectionFound.session_id == row.id, InspectionFound.volume_id.in_(vids)
                    )
                )
                uow.session.execute(
                    insert(InspectionFound),
                    [
                        {"session_id": row.id, "volume_id": v, "place_id": seen, "scan_id": scan.id}
                        for v in vids
                    ],
                )
            if kind == "box":
                verdicts = [_verdict(uow, row, v, seen) for v in vids]
                bad = [v for v in verdicts if v[0] != "found"]
                verdict = (
                    bad[0][0] if bad else ("again" if vids and set(vids) <= already else "found")
                )
                detail = f"盒内 {len(vids)} 卷" + (f"，{len(bad)} 卷有差异" if bad else "")
            else:
                verdict, detail = _verdict(uow, row, vids[0], seen)
                if verdict == "found" and vids[0] in already:
                    verdict = "again"
        found = int(
            uow.session.scalar(select(func.count()).where(InspectionFound.session_id == row.id))
            or 0
        )
        expected = int(
            uow.session.scalar(select(func.count()).where(InspectionExpected.session_id == row.id))
            or 0
        )
        uow.audit.record(
            "inspection.scan",
            object_type="inspection",
            object_id=row.id,
            details={"code": code, "kind": kind, "verdict": verdict},
        )
        uow.commit()
        shown = code
        if kind == "volume":
            volume = uow.session.get(Volume, object_id)
            shown = volume.reference_code if volume else code
        return ScanAck(verdict, shown, detail, found, expected)


@dataclass(frozen=True)
class DifferenceRow:
    """One difference: what, its code, where the register has it, where it was seen."""

    kind: str
    kind_label: str
    code: str
    home: str
    seen: str
    volume_id: int | None = None
    id: int | None = None  # once recorded (findings)
    resolution: str = ""
    resolution_label: str = ""
    note: str = ""
    file_id: int | None = None


@dataclass(frozen=True)
class Reconciliation:
    """Expected vs found: counts and every difference."""

    expected: int
    found: int
    found_expected: int
    differences: list[DifferenceRow] = field(default_factory=list)

    def count(self, kind: DifferenceKind) -> int:
        """How many differences of ``kind``."""
        return sum(1 for d in self.differences if d.kind == kind.value)


def _reconcile(uow: UnitOfWork, sid: int) -> Reconciliation:
    """Set-based: a handful of queries whatever the size of the scope."""
    home_loc = aliased(StorageLocation)
    seen_loc = aliased(StorageLocation)
    e, f = InspectionExpected, InspectionFound
    diffs: list[DifferenceRow] = []
    label = rules.DIFFERENCE_LABELS

    def add(kind: DifferenceKind, rows: Any) -> None:
        for vid, code, home, seen in rows:
            diffs.append(DifferenceRow(kind.value, label[kind], code, home or "", seen or "", vid))

    # missing: expected, not found
    add(
        DifferenceKind.MISSING,
        uow.session.execute(
            select(e.volume_id, Volume.reference_code, home_loc.code, literal(""))
            .join(Volume, Volume.id == e.volume_id)
            .outerjoin(home_loc, home_loc.id == e.location_id)
            .outerjoin(f, and_(f.session_id == e.session_id, f.volume_id == e.volume_id))
            .where(e.session_id == sid, f.volume_id.is_(None))
            .order_by(home_loc.path_key, Volume.reference_code)
        ),
    )
    # misplaced in scope: expected, but seen at a place that does not hold its home
    add(
        DifferenceKind.MISPLACED,
        uow.session.execute(
            select(e.volume_id, Volume.reference_code, home_loc.code, seen_loc.code)
            .join(f, and_(f.session_id == e.session_id, f.volume_id == e.volume_id))
            .join(Volume, Volume.id == e.volume_id)
            .join(home_loc, home_loc.id == e.location_id)
            .join(seen_loc, seen_loc.id == f.place_id)
            .where(
                e.session_id == sid,
                home_loc.id != seen_loc.id,
                ~home_loc.path_key.startswith(seen_loc.path_key + "."),
            )
            .order_by(seen_loc.path_key, Volume.reference_code)
        ),
    )
    # found but not expected: on loan / in repair, placed elsewhere, or never placed
    extra = (
        select(
            f.volume_id,
            Volume.reference_code,
            Volume.state,
            VolumePlace.volume_id.label("placed"),
            home_loc.code,
            seen_loc.code,
        )
        .join(Volume, Volume.id == f.volume_id)
        .outerjoin(e, and_(e.session_id == f.session_id, e.volume_id == f.volume_id))
        .outerjoin(VolumePlace, VolumePlace.volume_id == f.volume_id)
        .outerjoin(ArchiveBox, ArchiveBox.id == VolumePlace.box_id)
        .outerjoin(home_loc, home_loc.id == _home_expr())
        .outerjoin(seen_loc, seen_loc.id == f.place_id)
        .where(f.session_id == sid, e.volume_id.is_(None))
        .order_by(Volume.reference_code)
    )
    out_ids = set(
        uow.session.scalars(
            select(Loan.volume_id)
            .join(f, and_(f.volume_id == Loan.volume_id, f.session_id == sid))
            .where(Loan.state == "out")
        )
    )
    for vid, code, state, placed, home, seen in uow.session.execute(extra):
        if vid in out_ids or state in (VolumeState.ON_LOAN.value, VolumeState.IN_REPAIR.value):
            what = "借出" if vid in out_ids or state == VolumeState.ON_LOAN.value else "在修"
            diffs.append(
                DifferenceRow(
                    DifferenceKind.ON_LOAN_SEEN.value,
                    label[DifferenceKind.ON_LOAN_SEEN],
                    code,
                    f"{what} {home or ''}".strip(),
                    seen or "",
                    vid,
                )
            )
        elif placed is None:
            diffs.append(
                DifferenceRow(
                    DifferenceKind.UNEXPECTED.value,
                    label[DifferenceKind.UNEXPECTED],
                    code,
                    "未上架",
                    seen or "",
                    vid,
                )
            )
        else:
            diffs.append(
                DifferenceRow(
                    DifferenceKind.MISPLACED.value,
                    label[DifferenceKind.MISPLACED],
                    code,
                    home or "",
                    seen or "",
                    vid,
                )
            )
    # codes the register does not know
    unknown = uow.session.execute(
        select(InspectionScan.code, seen_loc.code)
        .outerjoin(seen_loc, seen_loc.id == InspectionScan.place_id)
        .where(InspectionScan.session_id == sid, InspectionScan.kind == "unknown")
        .order_by(InspectionScan.id)
    ).all()
    seen_codes: set[str] = set()
    for code, seen in unknown:
        if code not in seen_codes:
            seen_codes.add(code)
            diffs.append(
                DifferenceRow(
                    DifferenceKind.UNEXPECTED.value,
                    label[DifferenceKind.UNEXPECTED],
                    code,
                    "登记中没有",
                    seen or "",
                )
            )
    expected = int(uow.session.scalar(select(func.count()).where(e.session_id == sid)) or 0)
    found = int(uow.session.scalar(select(func.count()).where(f.session_id == sid)) or 0)
    found_expected = int(
        uow.session.scalar(
            select(func.count())
            .select_from(e)
            .join(f, and_(f.session_id == e.session_id, f.volume_id == e.volume_id))
            .where(e.session_id == sid)
        )
        or 0
    )
    return Reconciliation(expected, found, found_expected, diffs)


def get_reconciliation(*, session: SignedIn, inspection_id: int, clock: Clock) -> Reconciliation:
    """Expected vs found so far (partial scans give a partial picture; nothing is written)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        row = _get(uow, inspection_id)
        rec = _reconcile(uow, row.id)
        recorded = _recorded(uow, row.id)
        if Status(row.status) in (Status.FINDINGS, Status.CLOSED):
            return Reconciliation(rec.expected, rec.found, rec.found_expected, recorded)
        fixity = [d for d in recorded if d.kind == DifferenceKind.FIXITY.value]
        return Reconciliation(rec.expected, rec.found, rec.found_expected, rec.differences + fixity)


def _recorded(uow: UnitOfWork, sid: int) -> list[DifferenceRow]:
    rows = uow.session.scalars(
        select(InspectionDifference)
        .where(InspectionDifference.session_id == sid)
        .order_by(InspectionDifference.id)
    )
    return [
        DifferenceRow(
            d.kind,
            rules.DIFFERENCE_LABELS[DifferenceKind(d.kind)],
            d.code,
            d.home,
            d.seen,
            d.volume_id,
            d.id,
            d.resolution,
            rules.RESOLUTION_LABELS[Resolution(d.resolution)] if d.resolution else "",
            d.note,
            d.file_id,
        )
        for d in rows
    ]


def finish_counting(*, session: SignedIn, inspection_id: int, clock: Clock) -> int:
    """End the count: record every difference for the operator to resolve; returns how many."""
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "inspection.write")
        row = _get(uow, inspection_id)
        _require(row, "结束清点", Status.COUNTING)
        rec = _reconcile(uow, row.id)
        if rec.differences:
            uow.session.execute(
                insert(InspectionDifference),
                [
                    {
                        "session_id": row.id,
                        "kind": d.kind,
                        "volume_id": d.volume_id,
                        "file_id": None,
                        "code": d.code[:80],
                        "home": d.home[:120],
                        "seen": d.seen[:120],
                        "resolution": "",
                        "note": "",
                    }
                    for d in rec.differences
                ],
            )
        row.status = Status.FINDINGS.value
        row.counted_at = clock.now()
        row.version += 1
        uow.audit.record(
            "inspection.count_finish",
            object_type="inspection",
            object_id=row.id,
            details={
                "number": row.number,
                "expected": rec.expected,
                "found": rec.found,
                "differences": {k.value: rec.count(k) for k in DifferenceKind if rec.count(k)},
            },
        )
        uow.commit()
        return len(rec.differences)


# --- resolving differences ---------------------------------------------------------------------
def resolve_difference(
    *,
    session: SignedIn,
    difference_id: int,
    action: str,
    note: str = "",
    box_id: int | None = None,
    location_id: int | None = None,
    clock: Clock,
) -> None:
    """Settle one difference explicitly: move (through the locations service), lost, or note.

    ``moved`` puts the volume into ``box_id`` or ``location_id`` (a 移动记录 with reason 检查);
    ``lost`` reports the volume lost (a condition record 遗失); ``noted`` needs a note.
    """
    try:
        chosen = Resolution(action)
    except ValueError:
        chosen = None
    if chosen is None or chosen is Resolution.CARRIED:
        raise ValidationFailed([FieldError("resolution", "required")])
    if chosen is Resolution.NOTED and not note.strip():
        raise ValidationFailed([FieldError("difference_note", "required")])
    if len(note) > 2000:
        raise ValidationFailed([FieldError("difference_note", "too_long", {"max": 2000})])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        diff = uow.session.get(InspectionDifference, difference_id)
        if diff is None:
            raise locations.NotFound(what="差异")
        row = _get(uow, diff.session_id)
        _require(row, "处理差异", Status.FINDINGS)
        if diff.resolution:
            raise ValidationFailed([FieldError("resolution", "difference_resolved")])
        if chosen in (Resolution.MOVED, Resolution.LOST) and diff.volume_id is None:
            raise ValidationFailed([FieldError("resolution", "needs_volume")])
        volume_id = diff.volume_id
    if chosen is Resolution.MOVED:
        assert volume_id is not None
        # the move is its own use case with its own checks (R22) and move record (R23)
        locations.put_volume(
            session=session,
            volume_id=volume_id,
            box_id=box_id,
            location_id=location_id,
            reason=locations.MoveReason.INSPECT,
            note=note.strip(),
            clock=clock,
        )
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        diff = uow.session.get(InspectionDifference, difference_id)
        assert diff is not None
        if chosen is Resolution.LOST:
            assert diff.volume_id is not None
            uow.session.add(
                ConditionRecord(
                    volume_id=diff.volume_id,
                    session_id=diff.session_id,
                    kind=ConditionKind.LOST.value,
                    description=note.strip() or "检查清点时未找到",
                    recorded_at=clock.now(),
                    recorded_by=session.actor.user_id,
                )
            )
        diff.resolution = chosen.value
        diff.note = note.strip()
        diff.resolved_at = clock.now()
        diff.resolved_by = session.actor.user_id
        uow.audit.record(
            "inspection.difference",
            object_type="inspection",
            object_id=diff.session_id,
            details={"code": diff.code, "kind": diff.kind, "resolution": chosen.value},
        )
        uow.commit()


# --- electronic fixity (R13, R43) --------------------------------------------------------------
@dataclass(frozen=True)
class FixityResult:
    """What the check of the scope's electronic files found."""

    checked: int
    failed: tuple[tuple[int, str], ...]  # (file id, 档号)

    @property
    def ok(self) -> bool:
        """True when every file matched its SHA-256."""
        return not self.failed


def verify_scope_files(
    *,
    session: SignedIn,
    inspection_id: int,
    clock: Clock,
    progress: Callable[[int, int], None] | None = None,
) -> FixityResult:
    """Check the SHA-256 of every electronic file of the volumes placed in the scope (R13).

    Each mismatch (damaged, missing or unreadable file) becomes a difference to resolve.
    """
    from app.errors import FileMissing, FixityFailed
    from app.security.vault import KeyDestroyed
    from app.services.catalogue import file_store as item_files

    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        row = _get(uow, inspection_id)
        _require(row, "校验电子文件", Status.OPEN, Status.COUNTING, Status.FINDINGS)
        places = _scope_places(uow, row)
        files = uow.session.execute(
            select(
                ItemFile.id,
                ItemFile.state,
                ItemFile.chunk_count,
                ItemFile.size,
                ItemFile.sha256,
                ItemFile.blob_name,
                Customer.key_id,
                Volume.reference_code,
            )
            .join(ArchiveItem, ArchiveItem.id == ItemFile.item_id)
            .join(Volume, Volume.id == ArchiveItem.volume_id)
            .join(Customer, Customer.id == Volume.customer_id)
            .join(VolumePlace, VolumePlace.volume_id == Volume.id)
            .outerjoin(ArchiveBox, ArchiveBox.id == VolumePlace.box_id)
            .where(_home_expr().in_(places))
            .order_by(ItemFile.id)
        ).all()
    store = session.store
    failed: list[tuple[int, str]] = []
    with store.new_session() as s:
        for done, (fid, state, chunks, size, sha, blob, key_id, code) in enumerate(files, 1):
            try:
                if state != item_files.COMPLETE:
                    raise FixityFailed(file_id=fid)
                key = store.vault.key(key_id)
                stored = item_files._Stored(fid, chunks, size, sha, blob)
                for _plain in item_files._plain_chunks(s, store, stored, key):
                    pass
            except (FixityFailed, FileMissing, KeyDestroyed):
                failed.append((fid, code))
            if progress is not None:
                progress(done, len(files))
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        row = _get(uow, inspection_id)
        uow.session.execute(
            delete(InspectionDifference).where(
                InspectionDifference.session_id == row.id,
                InspectionDifference.kind == DifferenceKind.FIXITY.value,
                InspectionDifference.resolution == "",
            )
        )
        for fid, code in failed:
            uow.session.add(
                InspectionDifference(
                    session_id=row.id,
                    kind=DifferenceKind.FIXITY.value,
                    volume_id=None,
                    file_id=fid,
                    code=code,
                    home=f"电子文件 {fid}",
                    seen="SHA-256 不符",
                    resolution="",
                    note="",
                )
            )
        summary = {
            "checked": len(files),
            "failed": [f for f, _ in failed],
            "at": clock.now().isoformat(),
        }
        row.fixity = json.dumps(summary)
        uow.audit.record(
            "inspection.fixity",
            object_type="inspection",
            object_id=row.id,
            details={"checked": len(files), "failed": len(failed)},
        )
        uow.commit()
    return FixityResult(len(files), tuple(failed))


# --- checklist (R25, R41) ----------------------------------------------------------------------
@dataclass(frozen=True)
class CheckRow:
    """One checklist line."""

    seq: int
    label: str
    ok: bool | None
    note: str


def list_checks(*, session: SignedIn, inspection_id: int, clock: Clock) -> list[CheckRow]:
    """The session's checklist."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        return [
            CheckRow(c.seq, c.label, c.ok, c.note)
            for c in uow.session.scalars(
                select(InspectionCheck)
                .where(InspectionCheck.session_id == inspection_id)
                .order_by(InspectionCheck.seq)
            )
        ]


def set_check(
    *, session: SignedIn, inspection_id: int, seq: int, ok: bool, note: str = "", clock: Clock
) -> None:
    """Mark one checklist line 正常 or 异常 (异常 needs a note saying what)."""
    if not ok and not note.strip():
        raise ValidationFailed([FieldError("check_note", "abnormal_note")])
    if len(note) > 1000:
        raise ValidationFailed([FieldError("check_note", "too_long", {"max": 1000})])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        row = _get(uow, inspection_id)
        _require(row, "填写检查项目", Status.OPEN, Status.COUNTING, Status.FINDINGS)
        check = uow.session.get(InspectionCheck, (inspection_id, seq))
        if check is None:
            raise locations.NotFound(what="检查项目")
        check.ok = ok
        check.note = note.strip()
        uow.audit.record(
            "inspection.check",
            object_type="inspection",
            object_id=row.id,
            details={"item": check.label, "ok": ok},
        )
        uow.commit()


# --- environment (R41) -------------------------------------------------------------------------
@dataclass(frozen=True)
class ReadingRow:
    """One reading with what is out of range (labels)."""

    id: int
    taken_at: datetime
    temperature: int  # tenths
    humidity: int  # tenths
    problems: tuple[str, ...]
    session_number: str
    note: str

    @property
    def out_of_range(self) -> bool:
        """True when highlighted."""
        return bool(self.problems)


@dataclass(frozen=True)
class RoomClimate:
    """A room's readings over a period with its limits and the out-of-range list."""

    room_id: int
    room_code: str
    limits: ClimateLimits
    readings: list[ReadingRow]
    swings: dict[date, tuple[str, ...]]  # days whose swing is too large

    def out_of_range(self) -> list[ReadingRow]:
        """The highlighted readings."""
        return [r for r in self.readings if r.problems]


def record_reading(
    *,
    session: SignedIn,
    room_id: int,
    temperature: float,
    humidity: float,
    clock: Clock,
    taken_at: datetime | None = None,
    inspection_id: int | None = None,
    note: str = "",
) -> int:
    """Write a temperature/RH reading (twice-daily log or during a session); returns its id."""
    errors: list[FieldError] = []
    if not -30 <= temperature <= 60:
        errors.append(FieldError("temperature", "range", {"min": -30, "max": 60}))
    if not 0 <= humidity <= 100:
        errors.append(FieldError("humidity", "range", {"min": 0, "max": 100}))
    when = taken_at or clock.now()
    if when.tzinfo is None:
        errors.append(FieldError("taken_at", "required"))
    elif as_utc(when) > as_utc(clock.now()) + timedelta(minutes=5):
        errors.append(FieldError("taken_at", "not_future"))
    if len(note) > 500:
        errors.append(FieldError("note", "too_long", {"max": 500}))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        _room(uow, room_id)
        if inspection_id is not None:
            row = _get(uow, inspection_id)
            _require(row, "登记温湿度", Status.OPEN, Status.COUNTING, Status.FINDINGS)
            if row.room_id != room_id:
                raise ValidationFailed([FieldError("room", "other_room")])
        reading = EnvironmentReading(
            room_id=room_id,
            session_id=inspection_id,
            taken_at=when,
            temperature_dc=round(temperature * 10),
            humidity_pm=round(humidity * 10),
            note=note.strip(),
            recorded_by=session.actor.user_id,
        )
        uow.session.add(reading)
        uow.session.flush()
        limits = _settings(uow).limits_for(room_id)
        problems = rules.reading_problems(reading.temperature_dc, reading.humidity_pm, limits)
        uow.audit.record(
            "inspection.reading",
            object_type="storage_location",
            object_id=room_id,
            details={
                "t": rules.tenths(reading.temperature_dc),
                "rh": rules.tenths(reading.humidity_pm),
                "out_of_range": [p.value for p in problems],
            },
        )
        uow.commit()
        return reading.id


def get_room_climate(
    *, session: SignedIn, room_id: int, since: date, until: date, clock: Clock
) -> RoomClimate:
    """Readings of a room from ``since`` to ``until`` (local days, inclusive) with highlights."""
    if since > until:
        raise ValidationFailed([FieldError("date_range", "range_order")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        room = _room(uow, room_id)
        limits = _settings(uow).limits_for(room_id)
        tz = clock.now().astimezone().tzinfo
        start = datetime.combine(since, datetime.min.time(), tz)
        end = datetime.combine(until + timedelta(days=1), datetime.min.time(), tz)
        rows = uow.session.execute(
            select(EnvironmentReading, InspectionSession.number)
            .outerjoin(InspectionSession, InspectionSession.id == EnvironmentReading.session_id)
            .where(
                EnvironmentReading.room_id == room_id,
                EnvironmentReading.taken_at >= as_utc(start),
                EnvironmentReading.taken_at < as_utc(end),
            )
            .order_by(EnvironmentReading.taken_at, EnvironmentReading.id)
        ).all()
        readings: list[ReadingRow] = []
        for r, number in rows:
            taken = as_utc(r.taken_at)
            problems = rules.reading_problems(r.temperature_dc, r.humidity_pm, limits)
            readings.append(
                ReadingRow(
                    r.id,
                    taken,
                    r.temperature_dc,
                    r.humidity_pm,
                    tuple(rules.PROBLEM_LABELS[p] for p in problems),
                    number or "",
                    r.note,
                )
            )
        swings = rules.swing_problems(
            ((rules.local_day(r.taken_at), r.temperature, r.humidity) for r in readings), limits
        )
        return RoomClimate(
            room.id,
            room.code,
            limits,
            readings,
            {d: tuple(rules.PROBLEM_LABELS[p] for p in ps) for d, ps in swings.items()},
        )


# --- findings → condition records and repair tasks (R41) ----------------------------------------
@dataclass(frozen=True)
class TaskDraft:
    """A repair task to open with a finding."""

    kind: str
    due_on: date | None
    responsible_user_id: int | None = None
    responsible_name: str = ""
    send_out: bool = False  # the volume leaves its place now (在修)
    note: str = ""


@dataclass(frozen=True)
class FindingSaved:
    """The condition record and the task (if any) a finding made."""

    condition_id: int
    task_id: int | None


def _volume_for_repair(uow: UnitOfWork, volume_id: int) -> Volume:
    volume = uow.session.get(Volume, volume_id)
    if volume is None:
        raise locations.NotFound(what="案卷")
    return volume


def _send_out(uow: UnitOfWork, volume: Volume, task: RepairTask) -> None:
    """The volume leaves its place for repair: 在修 until the task is done (place kept)."""
    out = uow.session.scalar(
        select(Loan.id).where(Loan.volume_id == volume.id, Loan.state == "out")
    )
    if volume.state != VolumeState.ON_SHELF.value or out is not None:
        label = {"on_loan": "借出", "in_repair": "在修", "destroyed": "已销毁"}.get(
            volume.state, "借出"
        )
        raise VolumeNotAvailable(reference_code=volume.reference_code, state=label)
    locations.record_volume_out(
        uow, volume, locations.MoveReason.REPAIR, f"{rules.TASK_LABELS[TaskKind(task.kind)]}"
    )
    volume.state = VolumeState.IN_REPAIR.value
    task.state = TaskState.OUT.value


def record_finding(
    *,
    session: SignedIn,
    volume_id: int,
    kind: str,
    description: str,
    clock: Clock,
    inspection_id: int | None = None,
    task: TaskDraft | None = None,
) -> FindingSaved:
    """A problem found on a volume: a condition record and, where needed, a repair task."""
    errors: list[FieldError] = []
    try:
        condition = ConditionKind(kind)
    except ValueError:
        errors.append(FieldError("condition_kind", "required"))
    if not description.strip():
        errors.append(FieldError("condition_description", "required"))
    elif len(description) > 2000:
        errors.append(FieldError("condition_description", "too_long", {"max": 2000}))
    task_kind: TaskKind | None = None
    if task is not None:
        try:
            task_kind = TaskKind(task.kind)
        except ValueError:
            errors.append(FieldError("task_kind", "required"))
        if task.due_on is None:
            errors.append(FieldError("task_due_on", "required"))
        elif task.due_on < _today(clock):
            errors.append(FieldError("task_due_on", "before_today"))
        if task.responsible_user_id is None and not task.responsible_name.strip():
            errors.append(FieldError("responsible", "required"))
        elif len(task.responsible_name.strip()) > 64:
            errors.append(FieldError("responsible", "too_long", {"max": 64}))
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        uow.claim_writes()
        authorize(uow, session.actor, "inspection.write")
        volume = _volume_for_repair(uow, volume_id)
        if inspection_id is not None:
            _require(
                _get(uow, inspection_id),
                "登记发现的问题",
                Status.OPEN,
                Status.COUNTING,
                Status.FINDINGS,
            )
        now = clock.now()
        record = ConditionRecord(
            volume_id=volume.id,
            session_id=inspection_id,
            kind=condition.value,
            description=description.strip(),
            recorded_at=now,
            recorded_by=session.actor.user_id,
        )
        uow.session.add(record)
        uow.session.flush()
        task_id: int | None = None
        if task is not None and task_kind is not None:
            assert task.due_on is not None
            name = task.responsible_name.strip()
            if task.responsible_user_id is not None:
                user = uow.session.get(UserAccount, task.responsible_user_id)
                if user is None or user.disabled:
                    raise ValidationFailed([FieldError("responsible", "unknown_user")])
                name = user.display_name
            row = RepairTask(
                volume_id=volume.id,
                session_id=inspection_id,
                condition_id=record.id,
                kind=task_kind.value,
                responsible_user_id=task.responsible_user_id,
                responsible_name=name,
                due_on=task.due_on,
                state=TaskState.OPEN.value,
                note=task.note.strip(),
                created_at=now,
                created_by=session.actor.user_id,
                version=1,
            )
            uow.session.add(row)
            if task.send_out:
                _send_out(uow, volume, row)
            uow.session.flush()
            task_id = row.id
        uow.audit.record(
            "inspection.finding",
            object_type="volume",
            object_id=volume.id,
            details={
                "reference_code": volume.reference_code,
                "condition": condition.value,
                "task": task_kind.value if task_kind else None,
            },
        )
        uow.commit()
        return FindingSaved(record.id, task_id)


def send_task_out(*, session: SignedIn, task_id: int, clock: Clock) -> None:
    """The volume of an open task leaves its place for repair (在修, place kept)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        task = uow.session.get(RepairTask, task_id)
        if task is None:
            raise locations.NotFound(what="修复任务")
        if task.state != TaskState.OPEN.value:
            raise ValidationFailed([FieldError("task", "task_not_open")])
        volume = _volume_for_repair(uow, task.volume_id)
        _send_out(uow, volume, task)
        task.version += 1
        uow.audit.record(
            "repair.out",
            object_type="volume",
            object_id=volume.id,
            details={"reference_code": volume.reference_code, "task": task.kind},
        )
        uow.commit()


def complete_task(*, session: SignedIn, task_id: int, note: str = "", clock: Clock) -> None:
    """A repair task is done; a volume that was out goes back to its place (在架)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.write")
        task = uow.session.get(RepairTask, task_id)
        if task is None:
            raise locations.NotFound(what="修复任务")
        if task.state == TaskState.DONE.value:
            raise ValidationFailed([FieldError("task", "task_done")])
        volume = _volume_for_repair(uow, task.volume_id)
        if task.state == TaskState.OUT.value:
            locations.record_volume_back(uow, volume, locations.MoveReason.REPAIR, "修复完毕")
            if volume.state == VolumeState.IN_REPAIR.value:
                volume.state = VolumeState.ON_SHELF.value
        task.state = TaskState.DONE.value
        task.done_at = clock.now()
        task.done_by = session.actor.user_id
        if note.strip():
            task.note = (task.note + "\n" + note.strip()).strip()
        task.version += 1
        uow.audit.record(
            "repair.done",
            object_type="volume",
            object_id=volume.id,
            details={"reference_code": volume.reference_code, "task": task.kind},
        )
        uow.commit()


@dataclass(frozen=True)
class TaskRow:
    """A repair task as listed (home screen, record)."""

    id: int
    volume_id: int
    reference_code: str
    kind_label: str
    condition_label: str
    responsible: str
    due_on: date
    state: str
    state_label: str
    overdue: bool
    session_number: str


def _task_rows(uow: UnitOfWork, stmt: Any, today: date) -> list[TaskRow]:
    out = []
    for t, code, ckind, number in uow.session.execute(stmt):
        out.append(
            TaskRow(
                t.id,
                t.volume_id,
                code,
                rules.TASK_LABELS[TaskKind(t.kind)],
                rules.CONDITION_LABELS[ConditionKind(ckind)] if ckind else "",
                t.responsible_name,
                t.due_on,
                t.state,
                rules.TASK_STATE_LABELS[TaskState(t.state)],
                t.state != TaskState.DONE.value and t.due_on < today,
                number or "",
            )
        )
    return out


def _task_select() -> Any:
    return (
        select(RepairTask, Volume.reference_code, ConditionRecord.kind, InspectionSession.number)
        .join(Volume, Volume.id == RepairTask.volume_id)
        .outerjoin(ConditionRecord, ConditionRecord.id == RepairTask.condition_id)
        .outerjoin(InspectionSession, InspectionSession.id == RepairTask.session_id)
    )


def list_open_tasks(*, session: SignedIn, clock: Clock, limit: int = 500) -> list[TaskRow]:
    """Repair tasks not done yet, soonest due first (the home screen's 待办任务)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        stmt = (
            _task_select()
            .where(RepairTask.state != TaskState.DONE.value)
            .order_by(RepairTask.due_on, RepairTask.id)
            .limit(limit)
        )
        return _task_rows(uow, stmt, _today(clock))


def list_session_tasks(*, session: SignedIn, inspection_id: int, clock: Clock) -> list[TaskRow]:
    """The repair tasks opened by one session."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        stmt = _task_select().where(RepairTask.session_id == inspection_id).order_by(RepairTask.id)
        return _task_rows(uow, stmt, _today(clock))


@dataclass(frozen=True)
class ConditionRow:
    """A condition record of a volume."""

    id: int
    kind_label: str
    description: str
    recorded_at: datetime
    session_number: str


def list_volume_conditions(
    *, session: SignedIn, volume_id: int, clock: Clock
) -> list[ConditionRow]:
    """The condition records of one volume, newest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        rows = uow.session.execute(
            select(ConditionRecord, InspectionSession.number)
            .outerjoin(InspectionSession, InspectionSession.id == ConditionRecord.session_id)
            .where(ConditionRecord.volume_id == volume_id)
            .order_by(ConditionRecord.id.desc())
        ).all()
        return [
            ConditionRow(
                c.id,
                rules.CONDITION_LABELS[ConditionKind(c.kind)],
                c.description,
                as_utc(c.recorded_at),
                n or "",
            )
            for c, n in rows
        ]


# --- closing -----------------------------------------------------------------------------------
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
        uow.claim_writes()
        authorize(uow, session.actor, "inspection.write")
        row = _get(uow, inspection_id)
        _require(row, "结束检查", Status.OPEN, Status.FINDINGS)
        unchecked = int(
            uow.session.scalar(
                select(func.count()).where(
                    InspectionCheck.session_id == row.id, InspectionCheck.ok.is_(None)
                )
            )
            or 0
        )
        if unchecked:
            raise ValidationFailed(
                [FieldError("checklist", "checklist_incomplete", {"n": unchecked})]
            )
        open_diffs = int(
            uow.session.scalar(
                select(func.count()).where(
                    InspectionDifference.session_id == row.id, InspectionDifference.resolution == ""
                )
            )
            or 0
        )
        if open_diffs and not carry_over:
            raise UnresolvedDifferences(count=open_diffs)
        now = clock.now()
        if open_diffs:
            uow.session.execute(
                update(InspectionDifference)
                .where(
                    InspectionDifference.session_id == row.id, InspectionDifference.resolution == ""
                )
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
        uow.audit.record(
            "inspection.close",
            object_type="inspection",
            object_id=row.id,
            details={"number": row.number, "carried_over": open_diffs},
        )
        uow.commit()


# --- the printed record (库房检查记录) ------------------------------------------------------
@dataclass(frozen=True)
class InspectionRecord:
    """Everything the printed 库房检查记录 shows."""

    header: InspectionRow
    kind_label: str
    climate: RoomClimate
    checks: list[CheckRow]
    reconciliation: Reconciliation
    tasks: list[TaskRow]
    fixity: dict[str, Any]


def get_inspection_record(
    *, session: SignedIn, inspection_id: int, clock: Clock, climate_days: int = 30
) -> InspectionRecord:
    """Collect the record of one session (the climate of the ``climate_days`` before it)."""
    header = get_inspection(session=session, inspection_id=inspection_id, clock=clock)
    climate = get_room_climate(
        session=session,
        room_id=header.room_id,
        since=header.inspected_on - timedelta(days=climate_days),
        until=max(
            header.inspected_on,
            (header.closed_at.astimezone().date() if header.closed_at else header.inspected_on),
        ),
        clock=clock,
    )
    checks = list_checks(session=session, inspection_id=inspection_id, clock=clock)
    rec = get_reconciliation(session=session, inspection_id=inspection_id, clock=clock)
    tasks = list_session_tasks(session=session, inspection_id=inspection_id, clock=clock)
    with session.uow(clock) as uow:
        raw = _get(uow, inspection_id).fixity
    return InspectionRecord(
        header, header.kind_label, climate, checks, rec, tasks, json.loads(raw) if raw else {}
    )


@dataclass(frozen=True)
class ScopeChoice:
    """A 密集架, 柜 or 面 a session may cover."""

    id: int
    code: str
    kind: str


def list_scope_choices(*, session: SignedIn, room_id: int, clock: Clock) -> list[ScopeChoice]:
    """The 密集架, 柜 and 面 of a room, in tree order (for the scope of a new session)."""
    kinds = (LocationKind.SHELF.value, LocationKind.CABINET.value, LocationKind.FACE.value)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        room = _room(uow, room_id)
        rows = uow.session.execute(
            select(StorageLocation.id, StorageLocation.code, StorageLocation.kind)
            .where(
                StorageLocation.path_key.startswith(room.path_key + "."),
                StorageLocation.kind.in_(kinds),
            )
            .order_by(StorageLocation.path_key)
        ).all()
        return [ScopeChoice(i, c, k) for i, c, k in rows]
