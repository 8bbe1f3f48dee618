"""Staff forms (R26, R27): 归档移交清单, 离职/调岗交接清单 and the 访问权限审查记录.

Each takes plain rows (the dataclasses below; the filing and hand-over lines are those of
``app.domain.staff``), filled by ``app.services.staff.printing``, and lays them out on the
standard A4 page: details, the lines with a 核对 box, totals, and the signature blocks kept
together on the last page. ReportLab is loaded only when rendering.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from app.domain.staff import FilingSheetLine, StaffHandoverLine
from app.printing.catalogue_forms import format_form_date
from app.printing.location_forms import fit_cell, form_styles, info_line
from app.printing.tables import CELL_PAD, signature_table, table_style

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

CHECK_BOX = "□"  # U+25A1: the bundled font has no ☐


FilingFormLine = FilingSheetLine  # the printed line is the recorded one (app.domain.staff)


@dataclass(frozen=True)
class FilingForm:
    """A recorded 归档移交 as printed (two signature blocks)."""

    number: str
    department: str
    period: str
    clerk_name: str
    clerk_confirmed: str  # 已输入密码确认 / 纸面签字
    archivist_name: str
    handed_over_on: date
    note: str
    lines: Sequence[FilingFormLine]
    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime


HandoverFormLine = StaffHandoverLine  # the printed line is the recorded one (app.domain.staff)


@dataclass(frozen=True)
class StaffHandoverForm:
    """A recorded leaving or transfer hand-over as printed (three signature blocks)."""

    number: str
    kind_label: str  # 离职 / 调岗
    person_name: str
    department: str
    post: str
    successor_name: str
    supervisor: str
    handed_over_on: date
    note: str
    remaining: int
    lines: Sequence[HandoverFormLine]
    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime


@dataclass(frozen=True)
class ReviewFormLine:
    """One account in a printed access review."""

    username: str
    display_name: str
    roles: str
    last_sign_in: str
    compliance: str
    decision: str
    note: str


@dataclass(frozen=True)
class ReviewForm:
    """A recorded access review as printed."""

    number: str
    started_on: date
    started_by: str
    closed_on: date | None
    closed_by: str
    note: str
    lines: Sequence[ReviewFormLine]
    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime


def _details(rows: list[tuple[str, str, str, str]]) -> Flowable:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table

    from app.printing.base import FONT

    styles = form_styles()
    label, value = styles["label"], styles["value"]

    def p(text: str) -> Any:
        return Paragraph(escape(text).replace("\n", "<br/>"), value)

    data: list[list[Any]] = []
    spans: list[tuple[Any, ...]] = []
    for n, (k1, v1, k2, v2) in enumerate(rows):
        if k2:
            data.append([Paragraph(k1, label), p(v1), Paragraph(k2, label), p(v2)])
        else:
            data.append([Paragraph(k1, label), p(v1), "", ""])
            spans.append(("SPAN", (1, n), (-1, n)))
    table = Table(data, colWidths=[w * mm for w in (22, 65, 22, 65)])
    table.setStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 10),
            ("GRID", (0, 0), (-1, -1), 0.6, "black"),
            ("BACKGROUND", (0, 0), (0, -1), "#f0f0f0"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            *spans,
        ]
    )
    return table


def _signatures(signers: Sequence[tuple[str, str]]) -> Flowable:
    rows = [[f"{who}：", name, "签字：", "", "日期：", ""] for who, name in signers]
    label = max(22, 5 + 4.2 * max(len(who) for who, _name in signers))  # mm: 11 pt CJK glyphs
    return signature_table(rows, (label, 30, 14, 52 - label + 22, 14, 40))


def _story(
    details: Flowable,
    table: Flowable,
    signers: Sequence[tuple[str, str]],
    closing: Flowable | None = None,
) -> list[Flowable]:
    """Details, the lines, then the closing text (if any) and the signatures kept together."""
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Spacer

    ending = [closing, Spacer(1, 2 * mm)] if closing is not None else []
    return [
        details,
        Spacer(1, 4 * mm),
        table,
        Spacer(1, 5 * mm),
        KeepTogether([*ending, _signatures(signers)]),
    ]


def _lines_table(
    headers: Sequence[str], widths_mm: Sequence[float], rows: list[list[str]], extra: list[Any]
) -> Flowable:
    from reportlab.lib.units import mm
    from reportlab.platypus import Table

    form_styles()
    widths = [w * mm for w in widths_mm]
    room = [w - 2 * CELL_PAD - 0.5 for w in widths]
    data: list[list[Any]] = [list(headers)]
    for values in rows:
        data.append([fit_cell(text, room[i]) for i, text in enumerate(values)])
    return Table(data, colWidths=widths, repeatRows=1, style=table_style(extra))


def render_filing_form(form: FilingForm) -> bytes:
    """The 归档移交清单 (R27): details, lines with 核对 boxes, totals, two signatures."""
    from reportlab.platypus import Paragraph

    from app.printing.page import PageSetup, render_document

    rows = [
        [
            str(line.seq),
            line.reference_code or "（未编档号）",
            line.title,
            str(line.items),
            str(line.pages),
            CHECK_BOX,
        ]
        for line in form.lines
    ]
    items = sum(line.items for line in form.lines)
    pages = sum(line.pages for line in form.lines)
    volumes = sum(1 for line in form.lines if line.reference_code)
    total = len(rows) + 1
    rows.append(
        ["合计", "", f"{len(form.lines)} 项（其中案卷 {volumes} 卷）", str(items), str(pages), ""]
    )
    extra: list[Any] = [
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (3, 1), (4, -1), "RIGHT"),
        ("ALIGN", (5, 1), (5, -1), "CENTER"),
        ("FONTSIZE", (5, 1), (5, -1), 12),
        ("LEADING", (5, 1), (5, -1), 13),
        ("SPAN", (0, total), (1, total)),
        ("BACKGROUND", (0, total), (-1, total), "#f0f0f0"),
        ("LINEABOVE", (0, total), (-1, total), 1.2, "black"),
    ]
    table = _lines_table(
        ("序号", "档号", "题名/内容", "件数", "页数", "核对"), (12, 46, 74, 14, 14, 14), rows, extra
    )
    details = _details(
        [
            ("移交部门", form.department, "归档月份", form.period),
            ("归档专人", form.clerk_name, "确认方式", form.clerk_confirmed),
            ("接收档案员", form.archivist_name, "移交日期", format_form_date(form.handed_over_on)),
            ("说明", form.note or "（无）", "", ""),
        ]
    )
    body = form_styles()["body"]
    closing = Paragraph(
        f"以上共 {len(form.lines)} 项，合计 {items} 件、{pages} 页，"
        "经移交、接收双方当面逐项清点核对无误。"
        "本清单一式两份，移交部门与档案室各执一份。",
        body,
    )
    signers = [("移交人（归档专人）", form.clerk_name), ("接收人（档案员）", form.archivist_name)]
    story = _story(details, table, signers, closing)
    setup = PageSetup.of(form, "归档移交清单")
    block = info_line(
        [("移交编号", form.number), ("部门", form.department), ("归档月份", form.period)]
    )
    return render_document(setup, story, page_block=block)


def render_staff_handover(form: StaffHandoverForm) -> bytes:
    """The 离职/调岗交接清单 (R26): every holding item by item, three signatures."""
    from reportlab.platypus import Paragraph

    from app.printing.page import PageSetup, render_document

    rows = [
        [str(line.seq), line.kind_label, line.what, line.detail, line.successor, CHECK_BOX]
        for line in form.lines
    ] or [["", "（无经办或保管事项）", "", "", "", ""]]
    extra: list[Any] = [
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (5, 1), (5, -1), "CENTER"),
        ("FONTSIZE", (5, 1), (5, -1), 12),
        ("LEADING", (5, 1), (5, -1), 13),
    ]
    table = _lines_table(
        ("序号", "类别", "事项", "说明", "接办人", "核对"), (12, 36, 52, 36, 24, 14), rows, extra
    )
    details = _details(
        [
            ("交接人", form.person_name, "交接类型", form.kind_label),
            ("部门", form.department or "—", "岗位", form.post or "—"),
            ("接办人", form.successor_name, "监交人", form.supervisor),
            (
                "交接日期",
                format_form_date(form.handed_over_on),
                "未交接事项",
                f"{form.remaining} 项",
            ),
            ("说明", form.note or "（无）", "", ""),
        ]
    )
    body = form_styles()["body"]
    closing = Paragraph(
        f"以上经办或保管的 {len(form.lines)} 项已逐项交接清楚，档案资料未擅自带走或销毁。"
        "本清单一式三份，交接人、接办人、监交人各执一份。",
        body,
    )
    signers = [
        ("交接人", form.person_name),
        ("接办人", form.successor_name),
        ("监交人", form.supervisor),
    ]
    story = _story(details, table, signers, closing)
    title = f"{form.kind_label}交接清单"
    setup = PageSetup.of(form, title)
    block = info_line(
        [("交接编号", form.number), ("交接人", form.person_name), ("类型", form.kind_label)]
    )
    return render_document(setup, story, page_block=block)


def render_access_review(form: ReviewForm) -> bytes:
    """The 访问权限审查记录: every account, its roles, last sign-in, papers and the decision."""
    from app.printing.page import PageSetup, render_document

    rows = [
        [
            f"{line.display_name}（{line.username}）",
            line.roles,
            line.last_sign_in,
            line.compliance,
            line.decision,
            line.note,
        ]
        for line in form.lines
    ]
    table = _lines_table(
        ("账户", "角色", "最后登录", "保密协议/培训", "结论", "说明"),
        (36, 36, 22, 38, 16, 26),
        rows,
        [("ALIGN", (4, 1), (4, -1), "CENTER")],
    )
    closed = format_form_date(form.closed_on) if form.closed_on else "（未结束）"
    details = _details(
        [
            ("审查编号", form.number, "开始日期", format_form_date(form.started_on)),
            ("发起人", form.started_by, "结束日期", closed),
            ("结束人", form.closed_by or "—", "账户数", str(len(form.lines))),
            ("说明", form.note or "（无）", "", ""),
        ]
    )
    signers = [("审查人", form.started_by), ("复核人", form.closed_by)]
    story = _story(details, table, signers)
    setup = PageSetup.of(form, "访问权限审查记录")
    return render_document(setup, story, page_block=info_line([("审查编号", form.number)]))
