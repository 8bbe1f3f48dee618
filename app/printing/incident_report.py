"""The incident report (事件报告, R45): one A4 form per incident, with signature lines."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from app.clock import format_local
from app.printing.base import cjk_style, register_fonts
from app.printing.page import FRAME_W, PageSetup, render_document

if TYPE_CHECKING:
    from app.domain.incidents import IncidentRow

TITLE = "客户信息泄密/丢失事件报告"


def render_incident_report(
    row: IncidentRow, *, organisation: str, printed_by: str, username: str, printed_at: datetime
) -> bytes:
    """The incident's fields as a two-column table, then signature lines."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    register_fonts()
    label = cjk_style("label", 10, 14)
    value = cjk_style("value", 10, 14)

    def p(text: str, style: ParagraphStyle = value) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    fields = [
        ("事件编号", row.number),
        ("事件类型", row.kind),
        ("事件名称", row.title),
        ("发现时间", format_local(row.found_at)),
        ("发现人", row.found_by),
        ("涉及的客户/案卷", "、".join(row.affected) or "（未指明）"),
        ("事件经过", row.description),
        ("已采取的措施", row.measures),
        ("报告对象", row.reported_to),
        ("后续处理", row.follow_up or "（待填）"),
        ("状态", row.status),
        ("登记人", f"{row.recorded_by}　{format_local(row.created_at)}"),
    ]
    table = Table(
        [[p(k, label), p(v)] for k, v in fields],
        colWidths=[34 * mm, FRAME_W - 34 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.94, 0.94, 0.94)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    signatures = Table(
        [
            [p("登记人签字："), p("部门负责人签字："), p("信息管理专员签字：")],
            [p("日期："), p("日期："), p("日期：")],
        ],
        colWidths=[FRAME_W / 3] * 3,
        rowHeights=[14 * mm, 8 * mm],
    )
    setup = PageSetup(organisation, TITLE, printed_by, username, printed_at)
    return render_document(setup, [table, Spacer(1, 10 * mm), signatures])
