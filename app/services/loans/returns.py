"""Returns (归还, R33) and damage/loss reports.

The register entry is closed (注销) after counting face to face; a shortfall or damage opens a
report that stays open until resolved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.clock import Clock
from app.domain import loans as rules
from app.domain.loans import (
    KIND_LABELS,
    ApplicationState,
    Condition,
    LoanState,
    ReportKind,
    UseKind,
)
from app.errors import FieldError, ValidationFailed
from app.security import access
from app.services.auth import SignedIn
from app.services.common import (
    actor_from_row,
    authorize,
    clean_text,
    count_where,
    record_numbered,
)
from app.services.loans.scan import open_loan_for_scan
from app.services.loans.shared import (
    loan_if_out,
    local_date,
    local_today,
    set_volume_back,
    start_loan_write,
    volume_marking,
)
from app.storage.models import DamageReport, Loan, UseApplication, UseApplicationVolume, Volume
from app.storage.store import UnitOfWork


@dataclass(frozen=True)
class ReturnCheck:
    """What the return screen shows before the face-to-face count (R33)."""

    loan_id: int
    number: str
    reference_code: str
    title: str
    secrecy: str
    borrower: str
    kind_label: str
    issued_on: date
    due_on: date
    overdue_days: int
    expected_pages: int
    expected_items: int
    restricted: bool


def find_open_loan(*, session: SignedIn, scan: str, clock: Clock) -> ReturnCheck:
    """The open register entry of a scanned slip (loan number) or volume (档号)."""
    missing = FieldError("scan", "not_found_scan")
    return _open_return_check(session, clock, lambda uow: open_loan_for_scan(uow, scan), missing)


def get_return_check(*, session: SignedIn, loan_id: int, clock: Clock) -> ReturnCheck:
    """The return screen's data for an open loan picked from a list."""
    missing = FieldError("loan", "not_out")
    return _open_return_check(session, clock, lambda uow: loan_if_out(uow, loan_id), missing)


def _open_return_check(
    session: SignedIn,
    clock: Clock,
    find: Callable[[UnitOfWork], Loan | None],
    missing: FieldError,
) -> ReturnCheck:
    """The return screen's data of the open loan ``find`` picks; ``missing`` when there is none."""
    with session.uow(clock) as uow:
        reader = actor_from_row(authorize(uow, session.actor, "loan.write"))
        loan = find(uow)
        if loan is None:
            raise ValidationFailed([missing])
        return _return_check(uow, reader, loan, local_today(clock))


def _return_check(uow: UnitOfWork, reader: Any, loan: Loan, today: date) -> ReturnCheck:
    volume = uow.session.get(Volume, loan.volume_id)
    app = uow.session.get(UseApplication, loan.application_id)
    assert volume is not None and app is not None
    visible = access.may_see(reader, volume.secrecy_level)
    return ReturnCheck(
        loan_id=loan.id,
        number=loan.number,
        reference_code=volume.reference_code,
        title=volume.title if visible else access.RESTRICTED,
        secrecy=volume_marking(volume) if visible else access.RESTRICTED,
        borrower=app.applicant_name,
        kind_label=KIND_LABELS[UseKind(loan.kind)],
        issued_on=local_date(loan.issued_at) or today,
        due_on=loan.due_on,
        overdue_days=rules.overdue_days(loan.due_on, today),
        expected_pages=loan.expected_pages,
        expected_items=loan.expected_items,
        restricted=not visible,
    )


@dataclass(frozen=True)
class ReturnCount:
    """What the operator counted face to face with the borrower (当面点清, R33)."""

    counted_pages: int
    counted_items: int
    condition: str  # intact | damaged
    face_to_face: bool  # the operator confirms the count was made with the borrower
    note: str = ""
    to_repair: bool = False
    effect: str = ""  # 利用效果


@dataclass(frozen=True)
class ReturnDone:
    """A closed entry: where the volume went and the report opened, if any."""

    number: str
    volume_state: str
    report_id: int | None


def return_loan(*, session: SignedIn, loan_id: int, count: ReturnCount, clock: Clock) -> ReturnDone:
    """Close (注销) a register entry after the face-to-face count (R33).

    A shortfall against the 卷内目录's items and pages, or damage, opens a damage/loss report
    that stays open until resolved; the volume goes back to its place or to repair.
    """
    errors: list[FieldError] = []
    if not count.face_to_face:
        errors.append(FieldError("counted_face_to_face", "confirm_required"))
    if not 0 <= count.counted_pages <= 99_999:
        errors.append(FieldError("counted_pages", "range", {"min": 0, "max": 99_999}))
    if not 0 <= count.counted_items <= 9_999:
        errors.append(FieldError("counted_items", "range", {"min": 0, "max": 9_999}))
    try:
        condition = Condition(count.condition)
    except ValueError:
        errors.append(FieldError("condition", "format", {"expected": "完好或有损坏"}))
        condition = Condition.INTACT
    note = clean_text(errors, "note", count.note, 1000, required=condition == Condition.DAMAGED)
    effect = clean_text(errors, "effect", count.effect, 200, required=False)
    with session.uow(clock) as uow:
        operator, loan = start_loan_write(uow, session.actor, loan_id, errors)
        if errors:
            raise ValidationFailed(errors)
        assert loan is not None
        volume = uow.session.get(Volume, loan.volume_id)
        assert volume is not None
        now = clock.now()
        short = (
            count.counted_pages < loan.expected_pages or count.counted_items < loan.expected_items
        )
        report: DamageReport | None = None
        if short or condition == Condition.DAMAGED:
            if count.counted_items == 0 and loan.expected_items > 0:
                kind = ReportKind.LOSS
            elif short:
                kind = ReportKind.SHORTFALL
            else:
                kind = ReportKind.DAMAGE
            report = DamageReport(
                loan_id=loan.id,
                volume_id=volume.id,
                kind=kind.value,
                expected_pages=loan.expected_pages,
                counted_pages=count.counted_pages,
                expected_items=loan.expected_items,
                counted_items=count.counted_items,
                description=note,
                state="open",
                opened_at=now,
                opened_by=operator.id,
                resolution="",
            )
            uow.session.add(report)
        loan.state = LoanState.RETURNED.value
        loan.returned_at = now
        loan.returned_by = operator.id
        loan.counted_pages = count.counted_pages
        loan.counted_items = count.counted_items
        loan.condition = condition.value
        loan.effect = effect
        loan.remarks = note
        loan.version += 1
        set_volume_back(uow, volume, "归还", now, to_repair=count.to_repair)
        uow.session.flush()
        _close_if_done(uow, loan.application_id)
        record_numbered(
            uow,
            "loan.return",
            "loan",
            loan,
            reference_code=volume.reference_code,
            counted=[count.counted_items, count.counted_pages],
            expected=[loan.expected_items, loan.expected_pages],
            condition=condition.value,
            report=report.id if report is not None else None,
            to=volume.state,
        )
        uow.commit()
        return ReturnDone(loan.number, volume.state, report.id if report is not None else None)


def _close_if_done(uow: UnitOfWork, application_id: int) -> None:
    """An application whose volumes were all issued and returned is 已办结."""
    app = uow.session.get(UseApplication, application_id)
    if app is None:
        return
    wanted = count_where(uow, UseApplicationVolume.application_id == application_id)
    returned = count_where(
        uow, Loan.application_id == application_id, Loan.state == LoanState.RETURNED.value
    )
    if wanted == returned:
        app.state = ApplicationState.CLOSED.value
        app.version += 1


@dataclass(frozen=True)
class DamageReportRow:
    """A damage/loss report."""

    id: int
    loan_number: str
    reference_code: str
    kind_label: str
    expected: str  # "12 件 / 48 页"
    counted: str
    description: str
    state: str  # open | resolved
    opened_at: datetime
    resolution: str


def list_damage_reports(
    *, session: SignedIn, clock: Clock, open_only: bool = True
) -> list[DamageReportRow]:
    """Damage/loss reports, newest first (open ones only by default)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "loan.read")
        stmt = (
            select(DamageReport, Loan.number, Volume.reference_code)
            .join(Loan, Loan.id == DamageReport.loan_id)
            .join(Volume, Volume.id == DamageReport.volume_id)
            .order_by(DamageReport.id.desc())
        )
        if open_only:
            stmt = stmt.where(DamageReport.state == "open")
        return [
            DamageReportRow(
                id=r.id,
                loan_number=number,
                reference_code=code,
                kind_label=rules.REPORT_KIND_LABELS[ReportKind(r.kind)],
                expected=f"{r.expected_items} 件 / {r.expected_pages} 页",
                counted=f"{r.counted_items} 件 / {r.counted_pages} 页",
                description=r.description,
                state=r.state,
                opened_at=r.opened_at,
                resolution=r.resolution,
            )
            for r, number, code in uow.session.execute(stmt)
        ]


def resolve_damage_report(
    *, session: SignedIn, report_id: int, resolution: str, clock: Clock
) -> None:
    """Close a damage/loss report with what was done (repaired, copied, recovered …)."""
    errors: list[FieldError] = []
    resolution = clean_text(errors, "resolution", resolution, 1000, required=True)
    with session.uow(clock) as uow:
        operator = authorize(uow, session.actor, "loan.write")
        report = uow.session.get(DamageReport, report_id)
        if report is None:
            errors.append(FieldError("report", "not_found"))
        elif report.state != "open":
            errors.append(FieldError("report", "already_resolved"))
        if errors:
            raise ValidationFailed(errors)
        assert report is not None
        report.state = "resolved"
        report.resolved_at = clock.now()
        report.resolved_by = operator.id
        report.resolution = resolution
        uow.audit.record(
            "loan.damage_resolved",
            object_type="damage_report",
            object_id=report.id,
            details={"resolution": resolution},
        )
        uow.commit()
