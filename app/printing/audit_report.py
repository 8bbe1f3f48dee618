"""The audit trail as an A4 PDF (the auditor's export, R40): landscape-free, one row per entry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from app.clock import format_local
from app.printing.base import cjk_style, register_fonts
from app.printing.page import FRAME_W, PageSetup, render_document

if TYPE_CHECKING:
    from app.domain.audit import AuditRow

TITLE = "审计记录"
_DETAIL_CHARS = 300


def render_audit_report(
    rows: Sequence[AuditRow],
    *,
    organisation: str,
    heading: str,
    printed_by: str,
    username: str,
    printed_at: datetime,
) -> bytes:
    """Entries as a table: 序号, 时间, 用户, 操作, 对象, 用途, 详情 (details shortened)."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    register_fonts()
    cell = cjk_style("cell", 7.5, 9.5)
    head = cjk_style("head", 9, 12)

    def p(text: str) -> Paragraph:
        return Paragraph(escape(text), cell)

    data = [[p(h) for h in ("序号", "时间", "用户", "操作", "对象", "用途", "详情")]]
    for r in rows:
        details = r.details if len(r.details) <= _DETAIL_CHARS else r.details[:_DETAIL_CHARS] + "…"
        data.append(
            [
                p(str(r.seq)),
                p(format_local(r.occurred_at)),
                p(r.actor_name),
                p(r.action_label),
                p(f"{r.object_type} {r.object_id}".strip()),
                p(r.purpose),
                p(details),
            ]
        )
    widths = [w * mm for w in (12, 26, 18, 22, 18, 24)]
    widths.append(FRAME_W - sum(widths))
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    setup = PageSetup(organisation, TITLE, printed_by, username, printed_at)
    story = [Paragraph(escape(heading), head), Spacer(1, 3 * mm), table]
    if not rows:
        story.append(Paragraph("（没有符合条件的记录）", head))
    return render_document(setup, story)
