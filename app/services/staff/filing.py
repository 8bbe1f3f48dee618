"""Monthly filing hand-over (归档移交, R27): each department's clerk hands over at the desk.

The archivist signed in records what the department hands over — volumes scanned on the spot
(counts and pages from the catalogue) and material described by hand — and the department's
named filing clerk confirms with their own password at the same desk (a clerk without an
account signs the printed 归档移交清单 instead, which the record says). Departments that have
not handed over the previous month by the configured day are overdue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from app.clock import Clock, as_utc
from app.domain.accounts import Actor
from app.domain.staff import (
    FilingSheetLine,
    StaffState,
    filing_deadline,
    overdue_filing,
    parse_period,
    period_of,
    previous_period,
)
from app.errors import (
    AccountLocked,
    FieldError,
    PersonConfirmationFailed,
    ValidationFailed,
    WrongCredentials,
)
from app.security import access
from app.services.auth import SignedIn, check_password_with_lockout
from app.services.common import (
    actor_from_row,
    authorize,
    clean_text,
    fetch,
    local_today,
    next_yearly_number,
)
from app.services.compliance import load_policy
from app.services.staff.people import NotFound
from app.storage.models import (
    Department,
    FilingHandover,
    FilingHandoverLine,
    StaffPerson,
    UserAccount,
    Volume,
)
from app.storage.store import Store


@dataclass(frozen=True)
class FilingLine:
    """Material handed over that is not (yet) a catalogued volume."""

    title: str
    items: int
    pages: int


@dataclass(frozen=True)
class FilingRow:
    """A recorded 归档移交 as listed."""

    id: int
    number: str
    department: str
    period: str
    clerk_name: str
    clerk_confirmed: str  # password | paper
    archivist_name: str
    occurred_at: datetime
    volumes: int
    items: int
    pages: int
    note: str


@dataclass(frozen=True)
class FilingSheet:
    """A recorded hand-over with its lines (for the printed 清单)."""

    row: FilingRow
    lines: tuple[FilingSheetLine, ...]


@dataclass(frozen=True)
class OverdueDepartment:
    """A department that has not handed over the period by its deadline."""

    department_id: int
    department: str
    clerk_name: str


@dataclass(frozen=True)
class FilingStatus:
    """The period due, its deadline and who is late (the archivist's home card)."""

    period: str
    deadline: date
    overdue: tuple[OverdueDepartment, ...]
    handed_over: int  # departments that did hand it over


def confirm_at_desk(
    store: Store,
    first: Actor,
    *,
    user_id: int,
    username: str,
    password: str,
    clock: Clock,
    who: str,
) -> None:
    """The person with account ``user_id`` confirms with their own password at this desk.

    Failures count towards their lock like a sign-in; raises PersonConfirmationFailed.
    """
    username = username.strip()
    if not username or not password:
        raise PersonConfirmationFailed(who=who, detail="未填写用户名或密码")
    with store.unit_of_work(first, clock) as uow:
        user = uow.session.get(UserAccount, user_id)
        if user is None or user.disabled:
            raise PersonConfirmationFailed(who=who, detail="账户不存在或已停用")
        if user.username_key != username.casefold():
            raise PersonConfirmationFailed(who=who, detail="不是该人员的账户")
    try:
        check_password_with_lockout(store.keyring_store, username, password, clock)
    except AccountLocked:
        raise
    except WrongCredentials as exc:
        raise PersonConfirmationFailed(who=who, detail="用户名或密码错误") from exc


def _row(f: FilingHandover, department: str) -> FilingRow:
    return FilingRow(
        f.id,
        f.number,
        department,
        f.period,
        f.clerk_name,
        f.clerk_confirmed,
        f.archivist_name,
        as_utc(f.occurred_at),
        f.volumes,
        f.items,
        f.pages,
        f.note,
    )


def record_filing_handover(
    *,
    session: SignedIn,
    department_id: int,
    period: str,
    volume_ids: Sequence[int],
    clock: Clock,
    lines: Sequence[FilingLine] = (),
    clerk_username: str = "",
    clerk_password: str = "",
    paper_signature: bool = False,
    note: str = "",
) -> FilingSheet:
    """Record a department's 归档移交 for ``period`` (R27), confirmed by its filing clerk.

    A clerk with an account confirms with their password here; ``paper_signature`` is only for
    a clerk without one (they sign the printed list). An empty hand-over (nothing filed that
    month) is recorded with a note.
    """
    errors: list[FieldError] = []
    note = clean_text(errors, "note", note, 500, required=False)
    first = parse_period(period)
    today = local_today(clock)
    if first is None:
        errors.append(FieldError("period", "format", {"expected": "YYYY-MM"}))
    elif period_of(first) > period_of(today):
        errors.append(FieldError("period", "future"))
    for n, line in enumerate(lines):
        if not line.title.strip():
            errors.append(FieldError(f"lines.{n}", "required"))
        if line.items < 0 or line.pages < 0:
            errors.append(FieldError(f"lines.{n}", "range", {"min": 0, "max": 99999}))
    if not volume_ids and not lines and not note:
        errors.append(FieldError("note", "required"))  # say why nothing was filed
    if errors:
        raise ValidationFailed(errors)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "filing.handover")
        dep = uow.session.get(Department, department_id)
        if dep is None:
            raise NotFound("department")
        clerk = uow.session.get(StaffPerson, dep.filing_clerk_id) if dep.filing_clerk_id else None
        if clerk is None or clerk.state == StaffState.LEFT.value:
            raise ValidationFailed([FieldError("filing_clerk", "required")])
        clerk_user = clerk.user_id
    if clerk_user is not None:
        confirm_at_desk(
            session.store,
            session.actor,
            user_id=clerk_user,
            username=clerk_username,
            password=clerk_password,
            clock=clock,
            who="归档专人",
        )
        confirmed = "password"
    elif paper_signature:
        confirmed = "paper"
    else:
        raise ValidationFailed([FieldError("clerk_password", "required")])
    with session.uow(clock) as uow:
        uow.claim_writes()
        operator = authorize(uow, session.actor, "filing.handover", releases=True)
        reader = actor_from_row(operator)
        dep = uow.session.get(Department, department_id)
        clerk = (
            uow.session.get(StaffPerson, dep.filing_clerk_id)
            if dep and dep.filing_clerk_id
            else None
        )
        if dep is None or clerk is None:
            raise ValidationFailed([FieldError("filing_clerk", "required")])
        rows: list[FilingSheetLine] = []
        ids: list[int | None] = []
        for vid in dict.fromkeys(volume_ids):
            volume = fetch(uow, Volume, vid, "volume")
            title = access.restricted_title(reader, volume.secrecy_level, volume.title)
            ids.append(volume.id)
            rows.append(
                FilingSheetLine(
                    len(rows) + 1,
                    volume.reference_code,
                    title,
                    volume.item_count,
                    volume.page_count,
                )
            )
        for line in lines:
            ids.append(None)
            rows.append(
                FilingSheetLine(len(rows) + 1, "", line.title.strip(), line.items, line.pages)
            )
        record = FilingHandover(
            number=next_yearly_number(uow, "GD", today.year, digits=4),
            department_id=dep.id,
            period=period,
            clerk_person_id=clerk.id,
            clerk_name=clerk.name,
            clerk_confirmed=confirmed,
            archivist_user_id=operator.id,
            archivist_name=operator.display_name,
            occurred_at=clock.now(),
            note=note,
            volumes=len(dict.fromkeys(volume_ids)),
            items=sum(r.items for r in rows),
            pages=sum(r.pages for r in rows),
        )
        uow.session.add(record)
        uow.session.flush()
        for r, line_volume in zip(rows, ids, strict=True):
            uow.session.add(
                FilingHandoverLine(
                    handover_id=record.id,
                    seq=r.seq,
                    volume_id=line_volume,
                    reference_code=r.reference_code,
                    title=r.title[:200],
                    items=r.items,
                    pages=r.pages,
                )
            )
        uow.audit.record(
            "filing.handover",
            object_type="filing_handover",
            object_id=record.id,
            details={
                "department": dep.name,
                "period": period,
                "lines": len(rows),
                "clerk_confirmed": confirmed,
            },
        )
        uow.commit()
        return FilingSheet(_row(record, dep.name), tuple(rows))


def list_filing_handovers(
    *, session: SignedIn, clock: Clock, department_id: int | None = None
) -> list[FilingRow]:
    """Recorded 归档移交, newest first."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.read")
        deps = dict(uow.session.execute(select(Department.id, Department.name)).all())
        query = select(FilingHandover).order_by(
            FilingHandover.occurred_at.desc(), FilingHandover.id.desc()
        )
        if department_id is not None:
            query = query.where(FilingHandover.department_id == department_id)
        return [_row(f, deps.get(f.department_id, "")) for f in uow.session.scalars(query)]


def get_filing_sheet(*, session: SignedIn, handover_id: int, clock: Clock) -> FilingSheet:
    """One recorded hand-over with its lines."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.read")
        f = fetch(uow, FilingHandover, handover_id, "filing_handover")
        dep = uow.session.get(Department, f.department_id)
        lines = tuple(
            FilingSheetLine(line.seq, line.reference_code, line.title, line.items, line.pages)
            for line in uow.session.scalars(
                select(FilingHandoverLine)
                .where(FilingHandoverLine.handover_id == f.id)
                .order_by(FilingHandoverLine.seq)
            )
        )
        return FilingSheet(_row(f, dep.name if dep else ""), lines)


def get_filing_status(*, session: SignedIn, clock: Clock) -> FilingStatus:
    """Departments (with a filing clerk) that have not handed over last month by the day (R27)."""
    today = local_today(clock)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.read")
        policy = load_policy(uow.session)
        deps = list(
            uow.session.scalars(
                select(Department)
                .where(Department.filing_clerk_id.is_not(None))
                .order_by(Department.name)
            )
        )
        names = dict(uow.session.execute(select(StaffPerson.id, StaffPerson.name)).all())
        period = previous_period(today)
        done = {
            dep_id
            for (dep_id,) in uow.session.execute(
                select(FilingHandover.department_id).where(FilingHandover.period == period)
            )
        }
        by_name = {d.name: d for d in deps}
        _period, late = overdue_filing(
            [d.name for d in deps], {d.name for d in deps if d.id in done}, today, policy
        )
        return FilingStatus(
            period,
            filing_deadline(period, policy.filing_day),
            tuple(
                OverdueDepartment(by_name[n].id, n, names.get(by_name[n].filing_clerk_id or -1, ""))
                for n in late
            ),
            len(done),
        )


@dataclass(frozen=True)
class FilingMonth:
    """One department's filing in one month (the statistics)."""

    department: str
    period: str
    handovers: int
    volumes: int
    items: int
    pages: int
    on_time: bool


def list_filing_statistics(*, session: SignedIn, year: int, clock: Clock) -> list[FilingMonth]:
    """Per department and month of ``year``: hand-overs, volumes, items, pages, on time or late."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "staff.read")
        policy = load_policy(uow.session)
        deps = dict(uow.session.execute(select(Department.id, Department.name)).all())
        rows = uow.session.execute(
            select(
                FilingHandover.department_id,
                FilingHandover.period,
                func.count(FilingHandover.id),
                func.sum(FilingHandover.volumes),
                func.sum(FilingHandover.items),
                func.sum(FilingHandover.pages),
                func.min(FilingHandover.occurred_at),
            )
            .where(FilingHandover.period.like(f"{year:04d}-%"))
            .group_by(FilingHandover.department_id, FilingHandover.period)
        ).all()
    out = [
        FilingMonth(
            deps.get(dep_id, ""),
            period,
            int(n),
            int(v or 0),
            int(i or 0),
            int(p or 0),
            as_utc(first).astimezone().date() <= filing_deadline(period, policy.filing_day),
        )
        for dep_id, period, n, v, i, p, first in rows
    ]
    return sorted(out, key=lambda r: (r.period, r.department))
