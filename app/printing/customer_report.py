"""A customer's own report (个人信息查询答复, issue 18): what is held about them and its use.

Plain rows in, A4 PDF out: the fields held (by class 基础/业务/敏感, R7), consents and legal
bases, the storage end, the volumes, who used the data when and for what (from the audit trail,
with staff names), and what was provided to third parties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from xml.sax.saxutils import escape

from app.clock import format_local
from app.printing.base import cjk_style, register_fonts
from app.printing.page import FRAME_W, PageSetup, render_document

TITLE = "客户个人信息查询答复"


@dataclass(frozen=True)
class ReportField:
    """One field held: its class, label and value."""

    info_class: str  # 基础信息 / 业务信息 / 敏感信息
    label: str
    value: str


@dataclass(frozen=True)
class ReportUse:
    """One use of the customer's data."""

    at: datetime
    who: str
    what: str
    purpose: str


@dataclass(frozen=True)
class CustomerReport:
    """Everything the report prints."""

    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime
    customer_number: str
    customer_name: str
    request_number: str
    received_on: date | None
    due_on: date | None
    storage_end: str
    fields: tuple[ReportField, ...]
    consents: tuple[tuple[str, str, str, str], ...]  # 类型, 用途, 日期/有效期, 撤回
    volumes: tuple[tuple[str, str, str, str], ...]  # 档号, 题名, 保管期限, 密级
    uses: tuple[ReportUse, ...]
    provisions: tuple[tuple[str, str, str, str], ...] = field(
        default=()
    )  # 日期, 接收方, 用途, 内容


def render_customer_report(report: CustomerReport) -> bytes:
    """The report as an A4 PDF (sections as tables, a signature block at the end)."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

    register_fonts()
    head = cjk_style("cr-head", 12, 17)
    cell = cjk_style("cr-cell", 9, 12)
    note = cjk_style("cr-note", 9, 13)

    def p(text: str) -> Paragraph:
        return Paragraph(escape(text).replace("\n", "<br/>"), cell)

    def table(header: list[str], rows: list[list[str]], widths: list[float]) -> Table:
        body = [[p(h) for h in header]] + [[p(v) for v in r] for r in rows]
        if not rows:
            body.append([p("（无）")] + [p("") for _ in header[1:]])
        t = Table(body, colWidths=[w * FRAME_W for w in widths], repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    sections: list[tuple[str, list[str], list[list[str]], list[float]]] = [
        (
            "一、本公司持有的您的信息",
            ["类别", "项目", "内容"],
            [[f.info_class, f.label, f.value] for f in report.fields],
            [0.16, 0.2, 0.64],
        ),
        (
            "二、同意与处理依据",
            ["类型", "用途", "日期/有效期", "撤回"],
            [list(c) for c in report.consents],
            [0.2, 0.34, 0.26, 0.2],
        ),
        (
            "三、档案案卷",
            ["档号", "题名", "保管期限", "密级"],
            [list(v) for v in report.volumes],
            [0.3, 0.4, 0.15, 0.15],
        ),
        (
            "四、信息使用记录（何人、何时、何种用途）",
            ["时间", "使用人", "操作", "用途"],
            [[format_local(u.at), u.who, u.what, u.purpose] for u in report.uses],
            [0.22, 0.16, 0.3, 0.32],
        ),
        (
            "五、对外提供记录",
            ["日期", "接收方", "用途", "提供内容"],
            [list(x) for x in report.provisions],
            [0.15, 0.35, 0.25, 0.25],
        ),
    ]
    story: list[Flowable] = [
        Paragraph(
            escape(f"客户：{report.customer_name}（客户编号 {report.customer_number}）"), head
        ),
        Paragraph(
            escape(
                f"请求编号：{report.request_number or '—'}　收到日期：{report.received_on or '—'}"
                f"　答复期限：{report.due_on or '—'}　存储期限至：{report.storage_end}"
            ),
            note,
        ),
    ]
    for heading, header, rows, widths in sections:
        story += [Spacer(1, 4 * mm), Paragraph(heading, head), table(header, rows, widths)]
    story += [
        Spacer(1, 8 * mm),
        Table(
            [
                [p("经办人签字："), p("审核人签字："), p("客户签收：")],
                [p("日期："), p("日期："), p("日期：")],
            ],
            colWidths=[FRAME_W / 3] * 3,
            rowHeights=[14 * mm, 8 * mm],
        ),
    ]
    setup = PageSetup(
        report.organisation,
        TITLE,
        report.printed_by,
        report.printed_by_username,
        report.printed_at,
    )
    return render_document(setup, story)
