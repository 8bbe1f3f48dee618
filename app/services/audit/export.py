"""Exporting the trail (R40): the matching entries as a PDF or an Excel workbook, logged."""

from __future__ import annotations

import io
import logging

from sqlalchemy import select

from app.clock import Clock, format_local
from app.domain.audit import AuditRow
from app.errors import FieldError, ValidationFailed
from app.security.anchors import Anchor
from app.security.audit import AuditChain
from app.security.audit_chain import time_text
from app.security.cells import safe_row
from app.services.audit.seal_check import workstation_anchors
from app.services.audit.view import (
    EXPORT_LIMIT,
    AuditFilter,
    _check_filter,
    _history_rows,
    _history_target,
    _row,
    _where,
)
from app.services.auth import SignedIn
from app.services.common import authorize, printer
from app.storage.models import AuditEntry
from app.storage.store import UnitOfWork

log = logging.getLogger("app.services.audit")

AUDIT_HEADERS = ("序号", "时间", "用户", "操作", "对象", "对象编号", "用途", "详情", "工作站")


def audit_cells(r: AuditRow) -> list[int | str]:
    """The values of one entry under :data:`AUDIT_HEADERS` (the export and the auditor's table)."""
    return [
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
    anchor = _shown_anchor(session, clock)
    heading = (
        f"筛选：{what}　用途：{purpose}　共 {len(rows)} 条　"
        f"审计链头（锚点，请留存）：{anchor.text()}　{format_local(clock.now())}"
    )
    if fmt == "xlsx":
        return _audit_xlsx(rows, heading, session, clock)
    from app.printing.audit_report import render_audit_report

    return render_audit_report(
        rows,
        organisation=org,
        heading=heading,
        **printer(session.actor, clock.now()),
    )


def _shown_anchor(session: SignedIn, clock: Clock) -> Anchor:
    """The chain head an export shows (its own entry included); this workstation keeps it.

    Issue 23: every auditor review prints the head, so the paper is an anchor against a later
    roll-back of all the files; the workstation's anchor book is checked at sign-in.
    """
    with session.store.new_session() as s:
        seq, entry_hash = AuditChain.head(s)
    anchor = Anchor(seq, entry_hash.hex(), time_text(clock.now()))
    book = workstation_anchors(session.store)
    if book is not None and seq:
        try:
            book.add(anchor)
        except OSError as exc:
            log.warning("anchor not kept (%s)", type(exc).__name__)
    return anchor


def _audit_xlsx(rows: list[AuditRow], heading: str, session: SignedIn, clock: Clock) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "审计记录"
    who = f"{session.actor.display_name}（{session.actor.username}）"
    sheet.append(safe_row([f"导出：{who}　{format_local(clock.now())}　{heading}"]))
    sheet.append(safe_row(AUDIT_HEADERS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for r in rows:
        sheet.append(safe_row(audit_cells(r)))
    for column, width in zip("ABCDEFGHI", (8, 20, 14, 16, 10, 12, 24, 60, 16), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
