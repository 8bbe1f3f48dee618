"""The auditor's view (审计员 only, read-only): filter, page through, one record's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, or_, select

from app.clock import Clock, as_utc
from app.domain.audit import AuditRow
from app.errors import FieldError, ValidationFailed
from app.services.audit.labels import action_label, details_text, object_label
from app.services.auth import SignedIn
from app.services.common import authorize
from app.storage.models import (
    ArchiveItem,
    AuditEntry,
    Customer,
    DamageReport,
    IncidentLink,
    InspectionExpected,
    InspectionFound,
    ItemFile,
    Loan,
    LocationMove,
    UseApplication,
    UseApplicationVolume,
    UserAccount,
    Volume,
    VolumePlace,
)
from app.storage.store import UnitOfWork

PAGE_SIZE = 500
EXPORT_LIMIT = 50_000
REVEAL_ACTIONS = frozenset({"customer.reveal", "file.open"})
FAILED_SIGN_IN_ACTIONS = frozenset({"auth.sign_in_failed", "auth.account_locked"})
WORK_HOURS = (8, 18)  # local time, Monday to Friday; anything else is after hours


@dataclass(frozen=True)
class AuditFilter:
    """What the auditor is looking for; empty fields do not filter."""

    user: str = ""  # user name as recorded (failed sign-ins carry the typed name)
    action: str = ""  # exact action, or a prefix ending in "." ("customer.")
    object_type: str = ""
    object_id: str = ""
    date_from: date | None = None  # local dates, inclusive
    date_to: date | None = None
    purpose: str = ""  # words in the purpose

    def describe(self) -> str:
        """One line for exports and the audit entry of an export."""
        parts = []
        if self.user:
            parts.append(f"用户={self.user}")
        if self.action:
            parts.append(f"操作={action_label(self.action.rstrip('.'))}")
        if self.object_type:
            label = object_label(self.object_type)
            parts.append(f"对象={label}{' ' + self.object_id if self.object_id else ''}")
        if self.date_from or self.date_to:
            parts.append(f"日期={self.date_from or '…'}至{self.date_to or '…'}")
        if self.purpose:
            parts.append(f"用途含“{self.purpose}”")
        return "，".join(parts) or "全部"


@dataclass(frozen=True)
class AuditPage:
    """A page of entries, newest first; ``next_before`` continues the list."""

    rows: tuple[AuditRow, ...]
    next_before: int | None


def _local_bounds(
    day_from: date | None, day_to: date | None
) -> tuple[datetime | None, datetime | None]:
    """UTC bounds of local dates (to: the end of that day)."""
    tz = datetime.now().astimezone().tzinfo
    low = datetime.combine(day_from, time.min, tz).astimezone(UTC) if day_from else None
    high = (
        datetime.combine(day_to + timedelta(days=1), time.min, tz).astimezone(UTC)
        if day_to
        else None
    )
    return low, high


def _where(f: AuditFilter) -> list[Any]:
    cond: list[Any] = [AuditEntry.seq.is_not(None)]
    if f.user.strip():
        cond.append(AuditEntry.actor_name == f.user.strip())
    if f.action.strip():
        act = f.action.strip()
        cond.append(
            AuditEntry.action.startswith(act) if act.endswith(".") else AuditEntry.action == act
        )
    if f.object_type.strip():
        cond.append(AuditEntry.object_type == f.object_type.strip())
    if f.object_id.strip():
        cond.append(AuditEntry.object_id == f.object_id.strip())
    low, high = _local_bounds(f.date_from, f.date_to)
    if low is not None:
        cond.append(AuditEntry.occurred_at >= low)
    if high is not None:
        cond.append(AuditEntry.occurred_at < high)
    for word in f.purpose.split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        cond.append(AuditEntry.purpose.like(f"%{escaped}%", escape="\\"))
    return cond


def _order(f: AuditFilter) -> Any:
    """Newest first; with a date range, rows found through a time index and then sorted.

    (``seq + 0`` keeps SQLite from walking all of a user's or an action's entries by seq.)
    """
    if f.date_from or f.date_to:
        return (AuditEntry.seq + 0).desc()
    return AuditEntry.seq.desc()


def _row(e: AuditEntry) -> AuditRow:
    return AuditRow(
        seq=e.seq or 0,
        entry_id=e.id,
        occurred_at=as_utc(e.occurred_at),
        actor_name=e.actor_name,
        actor_id=e.actor_id,
        action=e.action,
        action_label=action_label(e.action),
        object_type=object_label(e.object_type or ""),
        object_id=e.object_id or "",
        purpose=e.purpose or "",
        details=details_text(e.details),
        workstation=e.workstation or "",
    )


def _check_filter(f: AuditFilter) -> None:
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise ValidationFailed([FieldError("date_to", "date_order")])


def search_audit(
    *,
    session: SignedIn,
    audit_filter: AuditFilter,
    clock: Clock,
    before_seq: int | None = None,
    limit: int = PAGE_SIZE,
) -> AuditPage:
    """Entries matching ``audit_filter``, newest first, ``limit`` at a time (审计员 only)."""
    _check_filter(audit_filter)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.read")
        query = select(AuditEntry).where(*_where(audit_filter))
        if before_seq is not None:
            query = query.where(AuditEntry.seq < before_seq)
        rows = uow.session.scalars(query.order_by(_order(audit_filter)).limit(limit + 1)).all()
        page = tuple(_row(e) for e in rows[:limit])
    return AuditPage(page, page[-1].seq if len(rows) > limit else None)


def list_audit_users(*, session: SignedIn, clock: Clock) -> list[str]:
    """User names for the filter: every account (the auditor may also type another name)."""
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.read")
        return sorted(uow.session.scalars(select(UserAccount.username)).all(), key=str.casefold)


@dataclass(frozen=True)
class HistoryTarget:
    """Whose complete history is shown: a customer (by 客户编号) or a volume (by 档号)."""

    kind: str  # customer | volume
    key: str  # the number or the code
    title: str  # what the auditor sees as the heading (no personal data)
    objects: tuple[tuple[str, str], ...]  # (object_type, object_id) pairs the history covers
    # the 档号 of its volumes: an inspection's scans and differences are shown for these only
    codes: tuple[str, ...] = ()


def _history_target(uow: UnitOfWork, kind: str, key: str) -> HistoryTarget:
    key = key.strip()
    field = "customer_number" if kind == "customer" else "reference_code"
    if not key:
        raise ValidationFailed([FieldError(field, "required")])
    if kind == "customer":
        cid = uow.session.scalar(select(Customer.id).where(Customer.number == key.upper()))
        if cid is None:
            raise ValidationFailed([FieldError(field, "not_found")])
        volumes = list(uow.session.scalars(select(Volume.id).where(Volume.customer_id == cid)))
        objects = [("customer", str(cid))]
        title = f"客户 {key.upper()}"
    else:
        vid = uow.session.scalar(select(Volume.id).where(Volume.reference_code == key))
        if vid is None:
            raise ValidationFailed([FieldError(field, "not_found")])
        volumes = [vid]
        objects = []
        title = f"案卷 {key}"
    items = (
        list(uow.session.scalars(select(ArchiveItem.id).where(ArchiveItem.volume_id.in_(volumes))))
        if volumes
        else []
    )
    files = (
        list(uow.session.scalars(select(ItemFile.id).where(ItemFile.item_id.in_(items))))
        if items
        else []
    )
    objects += [("volume", str(v)) for v in volumes]
    objects += [("item", str(i)) for i in items]
    objects += [("item_file", str(f)) for f in files]
    # incidents that name the customer or one of its volumes (R45)
    linked = [("customer", int(oid)) for t, oid in objects if t == "customer"]
    linked += [("volume", v) for v in volumes]
    incidents = {
        i
        for otype, oid in linked
        for i in uow.session.scalars(
            select(IncidentLink.incident_id).where(
                IncidentLink.object_type == otype, IncidentLink.object_id == oid
            )
        )
    }
    objects += [("incident", str(i)) for i in sorted(incidents)]
    objects += _related(uow, volumes)
    codes = (
        tuple(uow.session.scalars(select(Volume.reference_code).where(Volume.id.in_(volumes))))
        if volumes
        else ()
    )
    return HistoryTarget(kind, key, title, tuple(objects), codes)


def _ids(uow: UnitOfWork, query: Any) -> list[str]:
    return [str(i) for i in dict.fromkeys(uow.session.scalars(query))]


def _related(uow: UnitOfWork, volumes: list[int]) -> list[tuple[str, str]]:
    """Loans, moves and inspections of ``volumes``: the objects their audit entries name."""
    if not volumes:
        return []
    applications = _ids(
        uow,
        select(UseApplicationVolume.application_id).where(
            UseApplicationVolume.volume_id.in_(volumes)
        ),
    )
    loans = list(
        uow.session.execute(select(Loan.id, Loan.number).where(Loan.volume_id.in_(volumes)))
    )
    numbers = (
        list(
            uow.session.scalars(
                select(UseApplication.number).where(
                    UseApplication.id.in_([int(a) for a in applications])
                )
            )
        )
        if applications
        else []
    )
    reports = _ids(uow, select(DamageReport.id).where(DamageReport.volume_id.in_(volumes)))
    moves = select(LocationMove).where(
        LocationMove.object_type == "volume", LocationMove.object_id.in_(volumes)
    )
    batches: set[str] = set()
    boxes: set[str] = set()
    for move in uow.session.scalars(moves):
        if move.batch_id is not None:
            batches.add(str(move.batch_id))
        boxes.update(str(b) for b in (move.from_box_id, move.to_box_id) if b is not None)
    boxes.update(_ids(uow, select(VolumePlace.box_id).where(VolumePlace.volume_id.in_(volumes))))
    boxes.discard("None")
    sessions = set(
        _ids(
            uow,
            select(InspectionExpected.session_id).where(InspectionExpected.volume_id.in_(volumes)),
        )
    ) | set(
        _ids(uow, select(InspectionFound.session_id).where(InspectionFound.volume_id.in_(volumes)))
    )
    out = [("use_application", a) for a in applications]
    out += [("loan", str(i)) for i, _n in loans]
    out += [("loan_form", n) for n in [*numbers, *(n for _i, n in loans)]]
    out += [("damage_report", r) for r in reports]
    out += [("box", b) for b in sorted(boxes, key=int)]
    out += [("move_batch", b) for b in sorted(batches, key=int)]
    out += [("inspection", i) for i in sorted(sessions, key=int)]
    return out


def get_object_history(
    *, session: SignedIn, kind: str, key: str, clock: Clock, limit: int = 5_000
) -> tuple[HistoryTarget, list[AuditRow]]:
    """A customer's (客户编号) or a volume's (档号) complete history, oldest first.

    A customer's history holds the entries on the customer and on its volumes, their items and
    files; a volume's the volume, its items and files. Incidents linked to them are included, and
    so are their loans (applications, approvals, issue, return, damage reports, the desk's
    printouts), moves (of the volume, of the boxes it was in, bulk moves) and inspections (the
    session's start, count and close, and the scans and differences naming the volume).
    """
    if kind not in ("customer", "volume"):
        raise ValidationFailed([FieldError("kind", "required")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.read")
        target = _history_target(uow, kind, key)
        return target, _history_rows(uow, target, limit)


# An inspection's steps that concern every volume in its scope; its scans and differences are
# shown only where they name one of the history's volumes.
INSPECTION_STEPS = ("inspection.start", "inspection.count_finish", "inspection.close")


def _history_rows(uow: UnitOfWork, target: HistoryTarget, limit: int) -> list[AuditRow]:
    by_type: dict[str, list[str]] = {}
    for otype, oid in target.objects:
        by_type.setdefault(otype, []).append(oid)
    sessions = by_type.pop("inspection", [])
    conditions = [
        and_(AuditEntry.object_type == otype, AuditEntry.object_id.in_(ids))
        for otype, ids in by_type.items()
    ]
    if sessions:
        named = [
            AuditEntry.details.like(f'%"{_like(form)}%', escape="\\")
            for code in target.codes[:200]
            for form in dict.fromkeys((code, code.replace("·", ".")))  # as typed or scanned
        ]
        conditions.append(
            and_(
                AuditEntry.object_type == "inspection",
                AuditEntry.object_id.in_(sessions),
                or_(AuditEntry.action.in_(INSPECTION_STEPS), *named),
            )
        )
    rows = uow.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.seq.is_not(None), or_(*conditions))
        .order_by(AuditEntry.seq)
        .limit(limit)
    ).all()
    return [_row(e) for e in rows]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
