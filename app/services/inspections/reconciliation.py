"""Reconciliation (R42): expected vs found as set-based SQL, then each difference settled.

A handful of queries whatever the size of the scope (100,000 × 100,000 in a few hundred
milliseconds). Every difference is settled by an explicit action of the operator: moved
(through the locations service), lost, or noted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, insert, literal, select
from sqlalchemy.orm import aliased

from app.clock import Clock
from app.domain import inspections as rules
from app.domain.catalogue import VolumeState
from app.domain.inspection_rows import DifferenceRow, Reconciliation
from app.domain.inspections import ConditionKind, DifferenceKind, Resolution, Status
from app.errors import FieldError, ValidationFailed
from app.services import locations
from app.services.auth import SignedIn
from app.services.common import authorize, count_where
from app.services.inspections.base import (
    audit_session,
    find_session,
    home_expr,
    require,
    session_to_change,
)
from app.storage.models import (
    ArchiveBox,
    ConditionRecord,
    InspectionDifference,
    InspectionExpected,
    InspectionFound,
    InspectionScan,
    Loan,
    StorageLocation,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork


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
        .outerjoin(home_loc, home_loc.id == home_expr())
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
            add(DifferenceKind.ON_LOAN_SEEN, [(vid, code, f"{what} {home or ''}".strip(), seen)])
        elif placed is None:
            add(DifferenceKind.UNEXPECTED, [(vid, code, "未上架", seen)])
        else:
            add(DifferenceKind.MISPLACED, [(vid, code, home, seen)])
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
            add(DifferenceKind.UNEXPECTED, [(None, code, "登记中没有", seen)])
    expected = count_where(uow, e.session_id == sid)
    found = count_where(uow, f.session_id == sid)
    both = and_(f.session_id == e.session_id, f.volume_id == e.volume_id)
    found_expected = int(
        uow.session.scalar(
            select(func.count()).select_from(e).join(f, both).where(e.session_id == sid)
        )
        or 0
    )
    return Reconciliation(expected, found, found_expected, diffs)


def get_reconciliation(*, session: SignedIn, inspection_id: int, clock: Clock) -> Reconciliation:
    """Expected vs found so far (partial scans give a partial picture; nothing is written)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "inspection.read")
        row = find_session(uow, inspection_id)
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
        row = session_to_change(uow, session.actor, inspection_id, "结束清点", Status.COUNTING)
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
        counts = {k.value: rec.count(k) for k in DifferenceKind if rec.count(k)}
        details = {"number": row.number, "expected": rec.expected, "found": rec.found}
        audit_session(uow, "inspection.count_finish", row, {**details, "differences": counts})
        return len(rec.differences)


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
        row = find_session(uow, diff.session_id)
        require(row, "处理差异", Status.FINDINGS)
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
