"""The scanned count (R42): the expected list, then one scan at a time (place, box or volume).

Counting starts by writing the expected list (what is placed in the scope − on loan − in
repair) in one ``INSERT … SELECT``; each scan writes an :class:`InspectionScan` and marks
volumes found, so a count interrupted by a restart goes on where it stopped. Scanning never
returns a loan and never moves anything (R42).
"""

from __future__ import annotations

from sqlalchemy import delete, insert, literal, select

from app.clock import Clock
from app.domain import scan_codes
from app.domain.catalogue import VolumeState
from app.domain.inspection_rows import ScanAck
from app.domain.inspections import Status
from app.errors import FieldError, ValidationFailed
from app.services import locations
from app.services.auth import SignedIn
from app.services.common import count_where
from app.services.inspections.base import (
    UNAVAILABLE,
    audit_session,
    home_expr,
    scope_places,
    session_to_change,
)
from app.storage.models import (
    ArchiveBox,
    InspectionExpected,
    InspectionFound,
    InspectionScan,
    InspectionSession,
    Loan,
    StorageLocation,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork


def begin_counting(*, session: SignedIn, inspection_id: int, clock: Clock) -> int:
    """Write the expected list (placed in scope − on loan − in repair); returns its size."""
    with session.uow(clock) as uow:
        row = session_to_change(uow, session.actor, inspection_id, "开始清点", Status.OPEN)
        places = scope_places(uow, row)
        out_on_loan = select(Loan.volume_id).where(Loan.state == "out")
        source = (
            select(
                literal(row.id),
                VolumePlace.volume_id,
                VolumePlace.box_id,
                home_expr(),
            )
            .select_from(VolumePlace)
            .outerjoin(ArchiveBox, ArchiveBox.id == VolumePlace.box_id)
            .join(Volume, Volume.id == VolumePlace.volume_id)
            .where(
                home_expr().in_(places),
                Volume.state.not_in(UNAVAILABLE),
                VolumePlace.volume_id.not_in(out_on_loan),
            )
        )
        uow.session.execute(
            insert(InspectionExpected).from_select(
                ["session_id", "volume_id", "box_id", "location_id"], source
            )
        )
        expected = count_where(uow, InspectionExpected.session_id == row.id)
        row.status = Status.COUNTING.value
        row.version += 1
        details = {"number": row.number, "expected": expected}
        audit_session(uow, "inspection.count_start", row, details)
        return expected


VERDICT_LABELS = {
    "place": "位置",
    "found": "已清点",
    "misplaced": "错位",
    "on_loan_seen": "借出/在修却在架",
    "unexpected": "账外",
    "again": "重复扫描",
}


def _resolve_code(uow: UnitOfWork, scanned: scan_codes.ScannedCode) -> tuple[str, int | None]:
    target = locations.find_code(uow, scanned)  # the one look-up every scan field uses
    if target is None:
        return "unknown", None
    return target.kind.value, target.object_id


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


def _mark_found(
    uow: UnitOfWork, row: InspectionSession, scan: InspectionScan, object_id: int | None
) -> tuple[str, str]:
    """Mark the scanned volume (or every volume of the scanned box) found: (verdict, detail)."""
    seen = scan.place_id
    if scan.kind == "box":
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
    if scan.kind == "box":
        verdicts = [_verdict(uow, row, v, seen) for v in vids]
        bad = [v for v in verdicts if v[0] != "found"]
        verdict = bad[0][0] if bad else ("again" if vids and set(vids) <= already else "found")
        detail = f"盒内 {len(vids)} 卷" + (f"，{len(bad)} 卷有差异" if bad else "")
    else:
        verdict, detail = _verdict(uow, row, vids[0], seen)
        if verdict == "found" and vids[0] in already:
            verdict = "again"
    return verdict, detail


def record_scan(*, session: SignedIn, inspection_id: int, text: str, clock: Clock) -> ScanAck:
    """Count one scanned code: a place label (where the next items are), a box or a volume.

    Never returns a loan and never moves anything (R42). Raises locations.ScanRejected on a
    wrong check character (nothing recorded: scan again).
    """
    result, scanned = scan_codes.read_code(text)  # scanned, or typed (issue 21)
    if result is scan_codes.ScanResult.NOT_A_CODE:
        raise ValidationFailed([FieldError("scan", "not_a_code")])
    if result is scan_codes.ScanResult.BAD_CHECK or scanned is None:
        raise locations.ScanRejected()
    code = scanned.code
    with session.uow(clock) as uow:
        row = session_to_change(uow, session.actor, inspection_id, "扫码清点", Status.COUNTING)
        kind, object_id = _resolve_code(uow, scanned)
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
            inside = count_where(
                uow, StorageLocation.id == object_id, StorageLocation.id.in_(scope_places(uow, row))
            )
            if not inside:
                detail = "不在本次检查范围内"
        elif kind == "unknown":
            verdict, detail = "unexpected", "登记中没有"
        else:
            verdict, detail = _mark_found(uow, row, scan, object_id)
        found = count_where(uow, InspectionFound.session_id == row.id)
        expected = count_where(uow, InspectionExpected.session_id == row.id)
        details = {"code": code, "kind": kind, "verdict": verdict}
        audit_session(uow, "inspection.scan", row, details)
        shown = code
        if kind == "volume":
            volume = uow.session.get(Volume, object_id)
            shown = volume.reference_code if volume else code
        return ScanAck(verdict, shown, detail, found, expected)
