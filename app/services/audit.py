"""The audit trail's use cases: verify the chain, and (auditor only) read, summarise, export."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, or_, select

from app.clock import Clock, as_utc, format_local
from app.domain.roles import Role
from app.errors import FieldError, ValidationFailed
from app.security import audit_chain
from app.security.audit_chain import RECENT_ENTRIES, ChainReport, verify_chain
from app.security.crypto import derive_subkey
from app.services.auth import SignedIn
from app.services.common import authorize
from app.storage.files import atomic_write_bytes
from app.storage.models import (
    ArchiveItem,
    AuditEntry,
    Customer,
    IncidentLink,
    ItemFile,
    UserAccount,
    Volume,
)
from app.storage.store import Store, UnitOfWork

log = logging.getLogger(__name__)

ARCHIVE_ACTION = "audit.archive"


def _anchors(source: Engine | Connection) -> Callable[[], dict[int, bytes]]:
    """``{first kept seq: prev_hash}`` from the archive entries (which are in the chain)."""

    def load() -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        query = select(AuditEntry.details).where(AuditEntry.action == ARCHIVE_ACTION)
        with source.connect() if isinstance(source, Engine) else nullcontext(source) as conn:
            for details in conn.execute(query).scalars():
                data = json.loads(details)
                out[int(data["through_seq"]) + 1] = bytes.fromhex(data["through_hash"])
        return out

    return load


def verify_audit_chain(
    store: Store,
    *,
    recent: bool = False,
    progress: Callable[[int], None] | None = None,
    connection: Connection | None = None,
) -> ChainReport:
    """Verify the whole chain and every checkpoint, or (``recent``) the newest entries only.

    Used by ``archive-room check`` (whole) and at every sign-in (recent).
    """
    source: Engine | Connection = connection if connection is not None else store.engine
    since: int | None = None
    if recent:
        with store.new_session() as session:
            head = session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1))
        since = max(1, (head or 0) - RECENT_ENTRIES + 1)
    return verify_chain(
        source,
        store.data_key,
        store.audit_checkpoints,
        since_seq=since,
        anchors=_anchors(source),
        progress=progress,
    )


def sign_in_chain_warning(store: Store, roles: frozenset[Role], clock: Clock) -> str | None:
    """Verify the recent part at sign-in; record a failure; the warning for admin/auditor.

    Other users get None: the trail is the administrator's and the auditor's concern, and a
    message they cannot act on would only alarm them (the failure is recorded either way).
    """
    try:
        report = verify_audit_chain(store, recent=True)
    except Exception as exc:  # a damaged file fails in driver-specific ways: warn, let them in
        log.warning("audit chain not verified at sign-in (%s)", type(exc).__name__)
        if Role.ADMIN in roles or Role.AUDITOR in roles:
            from app.messages import AUDIT_BREAKS

            return AUDIT_BREAKS["unreadable"]
        return None
    if report.ok:
        return None
    first = report.first_break
    assert first is not None
    log.warning("audit chain verification failed at sign-in (%s)", first.reason)
    with store.unit_of_work(None, clock) as uow:
        uow.audit.record(
            "audit.verify_failed",
            object_type="audit",
            object_id=first.seq,
            details={"reason": first.reason, "problems": len(report.breaks), "scope": "recent"},
        )
        uow.commit()
    if Role.ADMIN in roles or Role.AUDITOR in roles:
        return first.describe()
    return None


# --- the auditor's view (审计员 only, read-only) ----------------------------------------------
PAGE_SIZE = 500
EXPORT_LIMIT = 50_000
REVEAL_ACTIONS = frozenset({"customer.reveal", "file.open"})
FAILED_SIGN_IN_ACTIONS = frozenset({"auth.sign_in_failed", "auth.account_locked"})
WORK_HOURS = (8, 18)  # local time, Monday to Friday; anything else is after hours

ACTION_LABELS: dict[str, str] = {
    "auth.sign_in": "登录",
    "auth.sign_out": "退出登录",
    "auth.sign_in_failed": "登录失败",
    "auth.account_locked": "账户锁定",
    "auth.sign_in_refused": "登录被拒（账户停用）",
    "auth.idle_lock": "空闲锁定",
    "auth.manual_lock": "手动锁定",
    "auth.unlock": "解锁",
    "system.setup": "初始化数据库",
    "user.create": "新建用户",
    "user.set_roles": "修改角色",
    "user.disable": "停用用户",
    "user.enable": "启用用户",
    "user.reset_password": "重置密码",
    "user.change_password": "修改密码",
    "user.recover_access": "用恢复密钥恢复访问",
    "settings.update": "修改安全设置",
    "settings.reference_pattern": "修改档号规则",
    "customer.create": "登记客户",
    "customer.update": "修改客户",
    "customer.status": "变更客户状态",
    "customer.reveal": "显示完整信息",
    "customer.delete": "删除客户",
    "customer.duplicate_cleared": "复核疑似重复",
    "volume.create": "新建案卷",
    "volume.update": "修改案卷",
    "item.create": "新增件",
    "secrecy.extend": "延长保密期限",
    "secrecy.declassify": "到期解密",
    "catalogue.view_classified": "查看机密/绝密案卷",
    "file.attach": "附加电子文件",
    "file.open": "打开电子文件",
    "file.fixity_failed": "电子文件校验失败",
    "file.missing": "电子文件缺失",
    "file.orphans_removed": "清理无主文件",
    "print.catalogue": "打印卷内目录",
    "print.note": "打印卷内备考表",
    "export.volumes": "导出案卷目录",
    "demo.generate": "生成演示数据",
    "audit.export": "导出审计记录",
    "audit.archive": "归档审计记录",
    "audit.chain_sealed": "审计链启用",
    "audit.verify_failed": "审计链校验失败",
    "incident.record": "登记事件",
    "incident.update": "更新事件",
    "print.incident": "打印事件报告",
}
OBJECT_LABELS: dict[str, str] = {
    "customer": "客户",
    "volume": "案卷",
    "item": "件",
    "item_file": "电子文件",
    "user": "用户",
    "settings": "设置",
    "setting": "设置",
    "database": "数据库",
    "audit": "审计记录",
    "incident": "事件",
}


def action_label(action: str) -> str:
    """The Chinese name of an action (the code itself when none is known)."""
    return ACTION_LABELS.get(action, action)


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
            label = OBJECT_LABELS.get(self.object_type, self.object_type)
            parts.append(f"对象={label}{' ' + self.object_id if self.object_id else ''}")
        if self.date_from or self.date_to:
            parts.append(f"日期={self.date_from or '…'}至{self.date_to or '…'}")
        if self.purpose:
            parts.append(f"用途含“{self.purpose}”")
        return "，".join(parts) or "全部"


@dataclass(frozen=True)
class AuditRow:
    """One entry as the auditor sees it."""

    seq: int
    entry_id: int
    occurred_at: datetime
    actor_name: str
    actor_id: int | None
    action: str
    action_label: str
    object_type: str
    object_id: str
    purpose: str
    details: str
    workstation: str


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


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k}={_plain(v)}" for k, v in value.items())
    return "（空）" if value is None or value == "" else str(value)


def details_text(details: str) -> str:
    """An entry's details for people: ``field：before → after`` for changes, ``key=value`` else."""
    if details in ("", "{}"):
        return ""
    try:
        data = json.loads(details)
    except ValueError:
        return details
    if not isinstance(data, dict):
        return _plain(data)
    parts = []
    for key, value in data.items():
        if isinstance(value, dict) and set(value) == {"before", "after"}:
            parts.append(f"{key}：{_plain(value['before'])} → {_plain(value['after'])}")
        else:
            parts.append(f"{key}={_plain(value)}")
    return "；".join(parts)


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
        object_type=OBJECT_LABELS.get(e.object_type or "", e.object_type or ""),
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
    return HistoryTarget(kind, key, title, tuple(objects))


def get_object_history(
    *, session: SignedIn, kind: str, key: str, clock: Clock, limit: int = 5_000
) -> tuple[HistoryTarget, list[AuditRow]]:
    """A customer's (客户编号) or a volume's (档号) complete history, oldest first.

    A customer's history holds the entries on the customer and on its volumes, their items and
    files; a volume's the volume, its items and files. Incidents linked to them are included.
    """
    if kind not in ("customer", "volume"):
        raise ValidationFailed([FieldError("kind", "required")])
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.read")
        target = _history_target(uow, kind, key)
        return target, _history_rows(uow, target, limit)


def _history_rows(uow: UnitOfWork, target: HistoryTarget, limit: int) -> list[AuditRow]:
    by_type: dict[str, list[str]] = {}
    for otype, oid in target.objects:
        by_type.setdefault(otype, []).append(oid)
    conditions = [
        and_(AuditEntry.object_type == otype, AuditEntry.object_id.in_(ids))
        for otype, ids in by_type.items()
    ]
    rows = uow.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.seq.is_not(None), or_(*conditions))
        .order_by(AuditEntry.seq)
        .limit(limit)
    ).all()
    return [_row(e) for e in rows]


@dataclass(frozen=True)
class AuditSummary:
    """The auditor's overview of a period."""

    date_from: date
    date_to: date
    per_user_day: tuple[tuple[date, str, int], ...]  # (local day, user, entries)
    reveals: tuple[tuple[str, int], ...]  # user, full-data views and file openings
    failed_sign_ins: tuple[tuple[str, int], ...]  # typed user name, failures and locks
    after_hours: tuple[tuple[str, int], ...]  # user, entries outside 08–18 Mon–Fri
    total: int


def is_after_hours(moment: datetime) -> bool:
    """Outside 08:00–18:00 local time, or on a Saturday or Sunday."""
    local = as_utc(moment).astimezone()
    return local.weekday() >= 5 or not WORK_HOURS[0] <= local.hour < WORK_HOURS[1]


def get_audit_summary(
    *, session: SignedIn, date_from: date, date_to: date, clock: Clock
) -> AuditSummary:
    """Actions per user per day, reveals per user, failed sign-ins, after-hours activity."""
    _check_filter(AuditFilter(date_from=date_from, date_to=date_to))
    low, high = _local_bounds(date_from, date_to)
    per_day: Counter[tuple[date, str]] = Counter()
    reveals: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    after: Counter[str] = Counter()
    total = 0
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.read")
        result = uow.session.execute(
            select(AuditEntry.occurred_at, AuditEntry.actor_name, AuditEntry.action).where(
                AuditEntry.occurred_at >= low, AuditEntry.occurred_at < high
            )
        )
        for at, who, action in result:
            total += 1
            moment = as_utc(at)
            per_day[(moment.astimezone().date(), who)] += 1
            if action in REVEAL_ACTIONS:
                reveals[who] += 1
            if action in FAILED_SIGN_IN_ACTIONS:
                failed[who] += 1
            if is_after_hours(moment):
                after[who] += 1

    def ranked(counter: Counter[str]) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))

    return AuditSummary(
        date_from,
        date_to,
        tuple(
            (d, u, n) for (d, u), n in sorted(per_day.items(), key=lambda kv: (kv[0][0], kv[0][1]))
        ),
        ranked(reveals),
        ranked(failed),
        ranked(after),
        total,
    )


AUDIT_HEADERS = ("序号", "时间", "用户", "操作", "对象", "对象编号", "用途", "详情", "工作站")


def _export_rows(uow: UnitOfWork, f: AuditFilter) -> list[AuditRow]:
    rows = uow.session.scalars(
        select(AuditEntry).where(*_where(f)).order_by(AuditEntry.seq).limit(EXPORT_LIMIT + 1)
    ).all()
    if len(rows) > EXPORT_LIMIT:
        raise ValidationFailed([FieldError("filter", "too_many", {"max": EXPORT_LIMIT})])
    return [_row(e) for e in rows]


def _clean_purpose(purpose: str) -> str:
    purpose = " ".join(purpose.split())
    if not purpose:
        raise ValidationFailed([FieldError("purpose", "required")])
    return purpose


def export_audit(
    *,
    session: SignedIn,
    audit_filter: AuditFilter,
    fmt: str,
    purpose: str,
    clock: Clock,
    history: tuple[str, str] | None = None,
) -> bytes:
    """The matching entries (oldest first) as a PDF or an Excel workbook; the export is logged.

    With ``history`` (``("customer", 客户编号)`` or ``("volume", 档号)``) the export is that
    record's complete history instead of the filter's entries. The export's own entry is
    written and committed before the file is made, so an export always appears in the trail it
    was taken from (R40).
    """
    if fmt not in ("pdf", "xlsx"):
        raise ValidationFailed([FieldError("format", "format", {"expected": "PDF 或 Excel"})])
    purpose = _clean_purpose(purpose)
    _check_filter(audit_filter)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.export")
        if history is not None:
            target = _history_target(uow, *history)
            rows = _history_rows(uow, target, EXPORT_LIMIT)
            what = f"{target.title} 的完整历史"
        else:
            rows = _export_rows(uow, audit_filter)
            what = audit_filter.describe()
        org = uow.settings.load().organisation.organisation_name
        uow.audit.record(
            "audit.export",
            object_type="audit",
            purpose=purpose,
            details={"format": fmt, "rows": len(rows), "filter": what},
        )
        uow.commit()
    heading = f"筛选：{what}　用途：{purpose}　共 {len(rows)} 条"
    if fmt == "xlsx":
        return _audit_xlsx(rows, heading, session, clock)
    from app.printing.audit_report import render_audit_report

    return render_audit_report(
        rows,
        organisation=org,
        heading=heading,
        printed_by=session.actor.display_name,
        username=session.actor.username,
        printed_at=clock.now(),
    )


def _audit_xlsx(rows: list[AuditRow], heading: str, session: SignedIn, clock: Clock) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "审计记录"
    who = f"{session.actor.display_name}（{session.actor.username}）"
    sheet.append([f"导出：{who}　{format_local(clock.now())}　{heading}"])
    sheet.append(list(AUDIT_HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for r in rows:
        sheet.append(
            [
                r.seq,
                format_local(r.occurred_at),
                r.actor_name,
                r.action_label,
                r.object_type,
                r.object_id,
                r.purpose,
                r.details,
                r.workstation,
            ]
        )
    for column, width in zip("ABCDEFGHI", (8, 20, 14, 16, 10, 12, 24, 60, 16), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- archiving old entries (there is no "clear log") ------------------------------------------
RETENTION_DEFAULT_DAYS = 3 * 365 + 1  # three years
RETENTION_MIN_DAYS = 184  # half a year and a few days: never less than one inspection cycle
ARCHIVE_FORMAT = "archive-room-audit-archive/1"


@dataclass(frozen=True)
class ArchiveResult:
    """What was archived: entries ``first_seq``–``through_seq`` into ``path``."""

    path: Path
    entries: int
    first_seq: int
    through_seq: int
    sha256: str


def _archive_key(store: Store) -> bytes:
    return derive_subkey(store.data_key, "audit-archive/v1")


def _archive_body(doc: dict[str, Any]) -> bytes:
    return json.dumps(
        {k: v for k, v in doc.items() if k != "signature"},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def archive_audit(
    *,
    session: SignedIn,
    retention_days: int,
    target: Path,
    purpose: str,
    clock: Clock,
) -> ArchiveResult:
    """Move entries older than ``retention_days`` into a signed file, then out of the table.

    Only a prefix of the chain is archived (entries up to the first one inside the retention),
    so the chain left behind starts where the file ends; the archive's own entry, which is part
    of the chain, records the last archived hash and anchors verification from then on. The
    file is written and synced before the deletion commits; a failed commit leaves the file
    and every entry in place.
    """
    purpose = _clean_purpose(purpose)
    if retention_days < RETENTION_MIN_DAYS:
        raise ValidationFailed(
            [FieldError("retention_days", "retention_min", {"min": RETENTION_MIN_DAYS})]
        )
    cutoff = clock.now() - timedelta(days=retention_days)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.archive")
        uow.claim_writes()
        first_kept = uow.session.scalar(
            select(AuditEntry.seq)
            .where(AuditEntry.seq.is_not(None), AuditEntry.occurred_at >= cutoff)
            .order_by(AuditEntry.seq)
            .limit(1)
        )
        query = select(AuditEntry).where(AuditEntry.seq.is_not(None))
        if first_kept is not None:
            query = query.where(AuditEntry.seq < first_kept)
        old = uow.session.scalars(query.order_by(AuditEntry.seq)).all()
        if not old:
            raise ValidationFailed([FieldError("retention_days", "nothing_to_archive")])
        doc: dict[str, Any] = {
            "format": ARCHIVE_FORMAT,
            "database_id": uow.settings.raw().get("database_id"),
            "created_at": audit_chain.time_text(clock.now()),
            "created_by": session.actor.username,
            "purpose": purpose,
            "cutoff": audit_chain.time_text(cutoff),
            "first_seq": old[0].seq,
            "through_seq": old[-1].seq,
            "through_hash": (old[-1].entry_hash or b"").hex(),
            "entries": [
                {
                    "seq": e.seq,
                    "occurred_at": audit_chain.time_text(e.occurred_at),
                    "actor_id": e.actor_id,
                    "actor_name": e.actor_name,
                    "action": e.action,
                    "object_type": e.object_type,
                    "object_id": e.object_id,
                    "purpose": e.purpose,
                    "details": e.details,
                    "workstation": e.workstation,
                    "prev_hash": (e.prev_hash or b"").hex(),
                    "entry_hash": (e.entry_hash or b"").hex(),
                }
                for e in old
            ],
        }
        doc["signature"] = hmac.digest(
            _archive_key(session.store), _archive_body(doc), "sha256"
        ).hex()
        payload = json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1).encode()
        digest = hashlib.sha256(payload).hexdigest()
        atomic_write_bytes(target, payload)
        for e in old:
            uow.session.delete(e)
        uow.session.flush()
        uow.audit.record(
            ARCHIVE_ACTION,
            object_type="audit",
            purpose=purpose,
            details={
                "first_seq": doc["first_seq"],
                "through_seq": doc["through_seq"],
                "through_hash": doc["through_hash"],
                "entries": len(old),
                "retention_days": retention_days,
                "file_sha256": digest,
                "file_name": target.name,
            },
        )
        uow.commit()
    return ArchiveResult(target, len(old), int(doc["first_seq"]), int(doc["through_seq"]), digest)


def verify_audit_archive(*, session: SignedIn, data: bytes, clock: Clock) -> int:
    """Check an archive file's signature and its chain; return the number of entries.

    Raises ValidationFailed (``file``, ``archive_invalid``) when anything does not match.
    """
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "audit.read")
    bad = ValidationFailed([FieldError("file", "archive_invalid")])
    try:
        doc = json.loads(data)
        signature = bytes.fromhex(doc["signature"])
        entries = doc["entries"]
    except (ValueError, KeyError, TypeError) as exc:
        raise bad from exc
    expected = hmac.digest(_archive_key(session.store), _archive_body(doc), "sha256")
    if doc.get("format") != ARCHIVE_FORMAT or not hmac.compare_digest(signature, expected):
        raise bad
    key = audit_chain.chain_key(session.store.data_key)
    prev: bytes | None = None
    for e in entries:
        stored_prev = bytes.fromhex(e["prev_hash"])
        if prev is not None and stored_prev != prev:
            raise bad
        content = audit_chain.content_bytes(
            e["seq"],
            e["occurred_at"],
            e["actor_id"],
            e["actor_name"],
            e["action"],
            e["object_type"],
            e["object_id"],
            e["purpose"],
            e["details"],
            e["workstation"],
        )
        if audit_chain.entry_hash(key, stored_prev, content).hex() != e["entry_hash"]:
            raise bad
        prev = bytes.fromhex(e["entry_hash"])
    return len(entries)
