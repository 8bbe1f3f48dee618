"""Export of any list to Excel or PDF (R5, R17, R40).

A list is turned into a :class:`ListTable` (title, columns, rows, marking) by the function of
its area, and written by :func:`write_table` in either format, always with who exported it,
when, for what purpose and its secrecy marking. Customer values are masked unless an unmasked
export is asked for, which needs the ``customer.reveal`` role and a purpose; every export is
recorded in the audit trail.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.clock import Clock
from app.domain import privacy as privacy_rules
from app.domain.catalogue import SECRECY_LABELS, SecrecyLevel, rank, volume_state_label
from app.domain.customers import LABELS, Category, Importance, Kind, Party, Status
from app.errors import FieldError, ValidationFailed
from app.printing.stamp import format_printed_at, printed_by_text
from app.security.cells import safe_row, safe_text
from app.services.auth import SignedIn
from app.services.common import authorize, form_stamp, local_today
from app.services.customers import (
    CustomerFilter,
    CustomerRow,
    customer_rows_for,
    list_customer_ids,
    search_customers,
)
from app.services.customers.consents import allowed_ids

MASKED_MARKING = "内部·已脱敏"
UNMASKED_MARKING = "敏感·含完整个人信息"
UNCLASSIFIED_MARKING = "非涉密"
CUSTOMER_LIMIT = 100_000  # rows in one export (a PDF is capped lower: it is for reading)
PDF_LIMIT = 5_000


class ExportFormat(StrEnum):
    """File format of an export."""

    XLSX = "xlsx"
    PDF = "pdf"


@dataclass(frozen=True)
class ListTable:
    """A list ready to write."""

    title: str
    headers: tuple[str, ...]
    widths: tuple[float, ...]  # column widths (Excel characters; relative in the PDF)
    rows: Sequence[Sequence[object]]
    marking: str
    notes: tuple[str, ...] = ()


def clean_purpose(purpose: str) -> str:
    """The purpose as recorded; empty is refused (R40)."""
    text = " ".join(purpose.split())[:200]
    if not text:
        raise ValidationFailed([FieldError("purpose", "required")])
    return text


def header_lines(session: SignedIn, clock: Clock, purpose: str, marking: str) -> tuple[str, ...]:
    """What every export says about itself: marking, exported by and when, purpose."""
    actor = session.actor
    who = printed_by_text(actor.display_name, actor.username)
    return (
        f"密级/标识：{marking}",
        f"导出人：{who}　导出时间：{format_printed_at(clock.now())}",
        f"用途：{purpose}",
    )


def write_table(
    table: ListTable, *, session: SignedIn, clock: Clock, purpose: str, fmt: ExportFormat
) -> bytes:
    """``table`` as .xlsx or PDF bytes, with its marking, exporter, time and purpose."""
    lines = header_lines(session, clock, purpose, table.marking) + table.notes
    if fmt == ExportFormat.PDF:
        return _pdf(table, session, clock, lines)
    return _xlsx(table, lines)


def _xlsx(table: ListTable, lines: tuple[str, ...]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = safe_text(table.title)[:31].lstrip("'") or "Sheet"
    sheet.append(safe_row([table.title]))
    sheet["A1"].font = Font(bold=True, size=14)
    for line in lines:
        sheet.append(safe_row([line]))
    sheet["A2"].font = Font(bold=True, color="B00000")
    sheet.append(safe_row(table.headers))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(safe_row(row))
    sheet.freeze_panes = f"A{header_row + 1}"
    for n, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    # the marking goes on every printed page of the workbook too
    sheet.oddHeader.right.text = safe_text(table.marking)
    sheet.oddFooter.left.text = safe_text(lines[1])
    sheet.oddFooter.right.text = "第 &P 页 / 共 &N 页"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf(table: ListTable, session: SignedIn, clock: Clock, lines: tuple[str, ...]) -> bytes:
    from app.printing.list_table import ListDocument, render_list

    with session.uow(clock) as uow:
        organisation = uow.settings.load().organisation.organisation_name
    return render_list(
        ListDocument(
            **form_stamp(session.actor, organisation, clock.now()),
            title=table.title,
            marking=table.marking,
            notes=lines[2:],  # the footer already says who and when; the header the marking
            headers=table.headers,
            widths=table.widths,
            rows=table.rows,
        )
    )


# --- customers -------------------------------------------------------------------------------
CUSTOMER_HEADERS = (
    "客户编号",
    "名称",
    "性质",
    "类型",
    "类别",
    "状态",
    "重要程度",
    "证件号码",
    "电话",
    "疑似重复",
)
CUSTOMER_WIDTHS = (20.0, 16.0, 9.0, 15.0, 10.0, 9.0, 10.0, 28.0, 22.0, 9.0)
# the customer fields of those columns: only classes whose rule lets an export carry them (R7)
CUSTOMER_FIELDS = (
    "number",
    "name",
    "party",
    "kind",
    "category",
    "status",
    "importance",
    "id_number",
    "phones",
)


def _label(enum: type[StrEnum], value: str) -> str:
    try:
        return LABELS[enum(value)]
    except (ValueError, KeyError):
        return value


def _customer_line(r: CustomerRow) -> list[object]:
    return [
        r.number,
        r.name,
        _label(Party, r.party),
        _label(Kind, r.kind),
        _label(Category, r.category),
        _label(Status, r.status),
        _label(Importance, r.importance),
        r.id_number,
        r.phone,
        "是" if r.suspected_duplicate else "",
    ]


def export_customers(
    *,
    session: SignedIn,
    purpose: str,
    clock: Clock,
    fmt: ExportFormat = ExportFormat.XLSX,
    unmasked: bool = False,
    query: str = "",
    filters: CustomerFilter | None = None,
    use: str = privacy_rules.SERVICE,
) -> bytes:
    """The customer list as on screen (search and filters) as .xlsx or PDF; audited (R40).

    Masked by default (R5). ``unmasked`` needs ``customer.reveal_sensitive`` (PermissionDenied
    otherwise); the purpose is required either way. ``use`` is the purpose from the configured
    list (R4): customers without a valid consent or legal basis for it are left out, and the
    export says how many.
    """
    purpose = clean_purpose(purpose)
    limit = PDF_LIMIT if fmt == ExportFormat.PDF else CUSTOMER_LIMIT
    if query.strip():
        found = search_customers(
            session=session, query=query, clock=clock, limit=0, filters=filters
        )
        ids = list(found.ranked_ids)
    else:
        ids = list_customer_ids(session=session, clock=clock, filters=filters, limit=limit + 1)
    cut = len(ids) > limit
    ids = ids[:limit]
    with session.uow(clock) as uow:
        authorize(
            uow,
            session.actor,
            # the full columns are of the 敏感 class (R7): its reveal permission
            "customer.reveal_sensitive" if unmasked else "customer.read",
            releases=True,  # an export takes customer data out (R28, issue 20)
        )
        allowed = allowed_ids(uow, ids, use, local_today(clock))
        withheld = sum(1 for i in ids if i not in allowed)
        ids = [i for i in ids if i in allowed]
        rows: list[CustomerRow] = []
        for start in range(0, len(ids), 500):
            rows += customer_rows_for(
                session.store, uow, ids[start : start + 500], masked=not unmasked
            )
        uow.audit.record(
            "export.customers",
            object_type="customer",
            purpose=purpose,
            details={
                "rows": len(rows),
                "format": fmt.value,
                "unmasked": unmasked,
                "use": use,
                "withheld": withheld,
                "query": "（已输入）" if query.strip() else "",  # a typed number stays out
                "fields": ["id_number", "phones"] if unmasked else [],
            },
        )
        uow.commit()
    notes: tuple[str, ...] = (
        "显示方式：完整信息（已记录用途）" if unmasked else "显示方式：已脱敏",
    )
    notes += (f"使用用途：{use}",)
    if withheld:
        notes += (f"另有 {withheld} 位客户没有该用途的有效同意或处理依据，未导出。",)
    if cut:
        notes += (f"只导出了前 {limit} 行，请缩小范围分批导出。",)
    table = ListTable(
        "客户目录",
        CUSTOMER_HEADERS,
        CUSTOMER_WIDTHS,
        [_customer_line(r) for r in rows],
        UNMASKED_MARKING if unmasked else MASKED_MARKING,
        notes,
    )
    return write_table(table, session=session, clock=clock, purpose=purpose, fmt=fmt)


# --- volumes ---------------------------------------------------------------------------------
VOLUME_HEADERS = (
    "档号",
    "案卷题名",
    "年度",
    "保管期限",
    "保管期限到期",
    "密级",
    "状态",
    "件数",
    "页数",
)
VOLUME_WIDTHS = (24.0, 40.0, 8.0, 10.0, 14.0, 12.0, 8.0, 6.0, 6.0)


def volume_marking(markings: Sequence[str]) -> str:
    """The highest marking among the exported rows (``机密★20年``), or 非涉密 (R17)."""
    best, best_rank = UNCLASSIFIED_MARKING, 0
    for marking in markings:
        for level, label in SECRECY_LABELS.items():
            if marking.startswith(label) and rank(SecrecyLevel(level)) > best_rank:
                best, best_rank = marking, rank(SecrecyLevel(level))
    return best


def export_volumes(
    *,
    session: SignedIn,
    query: str,
    purpose: str,
    clock: Clock,
    fmt: ExportFormat = ExportFormat.XLSX,
    limit: int = 10_000,
) -> bytes:
    """The volume list as on screen as .xlsx or PDF (audited).

    Rows come from the same access-checked search as the screen: volumes above the reader's
    clearance are "受限" rows with their 档号 only, or absent for title searches.
    """
    from app.services.catalogue.search import search_catalogue

    purpose = clean_purpose(purpose)
    if fmt == ExportFormat.PDF:
        limit = min(limit, PDF_LIMIT)
    rows = search_catalogue(session=session, query=query, clock=clock, limit=limit)
    with session.uow(clock) as uow:
        authorize(uow, session.actor, "catalogue.read", releases=True)
        uow.audit.record(
            "export.volumes",
            object_type="volume",
            purpose=purpose,
            details={"query": query, "rows": len(rows), "format": fmt.value},
        )
        uow.commit()
    lines = [
        [
            v.reference_code,
            v.title,
            v.year,
            v.retention,
            v.expires.isoformat() if v.expires else "永久",
            v.secrecy,
            volume_state_label(v.state, v.placed) if not v.restricted else "",
            "" if v.restricted else v.item_count,
            "" if v.restricted else v.page_count,
        ]
        for v in rows
    ]
    table = ListTable(
        "案卷目录",
        VOLUME_HEADERS,
        VOLUME_WIDTHS,
        lines,
        volume_marking([v.secrecy for v in rows if not v.restricted]),
    )
    return write_table(table, session=session, clock=clock, purpose=purpose, fmt=fmt)
