"""The 销毁清册, its 销毁证明 and the 鉴定记录 as printed (R44; "Printed forms", domain brief).

A4 landscape for the 清册 (ten columns): a cover with 清册编号, 数量, 鉴定负责人 and date, 批准人
and dates, the two 监销人 with date, place and method; then the rows (序号, 档号, 题名, 起止日期,
密级, 数量, 应保管期限, 已保管期限, 销毁原因, 备注) under headings repeated on every page; then
the signature block with the names filled in. The service
(``app.services.disposition.printing``) fills the plain rows; ReportLab loads only here.
Rows go into tables of :data:`ROWS_PER_TABLE` so a list of thousands splits cheaply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from app.domain.disposition import LIST_COLUMNS, DestructionRow
from app.printing.location_forms import fit_cell, form_styles, info_line
from app.printing.tables import CELL_PAD, signature_table, table_style

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

LIST_TITLE = "档案销毁清册"
CERTIFICATE_TITLE = "档案销毁证明"
APPRAISAL_TITLE = "档案鉴定记录"
LIST_COLUMN_MM = (10, 46, 41, 40, 10, 16, 19, 19, 50, 10)  # 261 mm: A4 landscape less margins
APPRAISAL_COLUMNS = ("序号", "档号", "题名", "年度", "密级", "原保管期限", "鉴定结论", "说明")
APPRAISAL_COLUMN_MM = (12, 44, 72, 14, 14, 24, 22, 59)
ROWS_PER_TABLE = 120
SECRECY_COLOUR = "#c00000"


def iso(value: date | datetime | None) -> str:
    """``YYYY-MM-DD`` (empty when not known)."""
    if value is None:
        return ""
    return (value.date() if isinstance(value, datetime) else value).isoformat()


DestructionRowData = DestructionRow  # the printed row is the listed one (app.domain.disposition)


@dataclass(frozen=True)
class Signature:
    """A person on the form: role, name, date (ISO), opinion."""

    role: str
    name: str
    on: str = ""
    opinion: str = ""


@dataclass(frozen=True)
class DestructionListForm:
    """Everything the 清册, and its certificate, print."""

    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime
    number: str
    state_label: str
    reason: str
    appraisal_number: str
    appraisal_leader: str
    appraisers: list[str]
    appraised_on: str
    compiled_by: str
    compiled_on: str
    approvals: list[Signature]
    witnesses: list[str]
    carried_out_on: str
    place: str
    method: str
    rows: list[DestructionRowData]
    notes: list[str] = field(default_factory=list)
    secrecy_mark: str = ""

    @property
    def count(self) -> int:
        """数量: how many volumes the list holds."""
        return len(self.rows)


@dataclass(frozen=True)
class AppraisalRowData:
    """One decision of the 鉴定记录."""

    seq: int
    reference_code: str
    title: str
    year: int
    secrecy: str
    retention: str
    decision: str
    note: str


@dataclass(frozen=True)
class AppraisalForm:
    """The 鉴定记录: appraisers, date, decisions, opinion."""

    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime
    number: str
    appraised_on: str
    appraisers: list[str]
    opinion: str
    rows: list[AppraisalRowData]
    secrecy_mark: str = ""


def _grid(
    rows: list[list[Any]],
    widths_mm: Sequence[float],
    font_size: float = 10,
    spans: Sequence[int] = (),
) -> Flowable:
    """A two-column-pairs details grid (label cells shaded); ``spans``: rows of one value."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Table

    from app.printing.base import FONT

    table = Table(rows, colWidths=[w * mm for w in widths_mm])
    table.setStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, font_size),
            ("GRID", (0, 0), (-1, -1), 0.6, "black"),
            ("BACKGROUND", (0, 0), (0, -1), "#f0f0f0"),
            ("BACKGROUND", (2, 0), (2, -1), "#f0f0f0"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            *[("SPAN", (1, r), (-1, r)) for r in spans],
            *[("BACKGROUND", (1, r), (-1, r), "white") for r in spans],
        ]
    )
    return table


def _p(text: str) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(text).replace("\n", "<br/>"), form_styles()["value"])


def _cover(form: DestructionListForm) -> list[Flowable]:
    """The 清册's cover: number, count, appraisal, approvals, witnesses, date, place, method."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    approvers = "\n".join(f"{a.role}：{a.name}　{a.on}" for a in form.approvals) or "（待批准）"
    witnesses = "、".join(form.witnesses) or "（待执行）"
    rows = [
        ["清册编号", form.number, "数量", f"{form.count} 卷"],
        ["状态", form.state_label, "销毁原因", _p(form.reason)],
        [
            "鉴定负责人",
            form.appraisal_leader or "（无）",
            "鉴定日期",
            f"{form.appraised_on}（{form.appraisal_number}）" if form.appraisal_number else "",
        ],
        [
            "鉴定人",
            _p("、".join(form.appraisers)),
            "编制人",
            f"{form.compiled_by}　{form.compiled_on}",
        ],
        ["批准人", _p(approvers), "", ""],
        ["监销人", witnesses, "销毁日期", form.carried_out_on or "（待执行）"],
        ["销毁地点", form.place or "（待执行）", "销毁方式", form.method or "（待执行）"],
    ]
    grid = _grid(rows, (34, 96, 34, 97), 11, spans=(4,))
    return [Spacer(1, 6 * mm), grid]


def _row_tables(form: DestructionListForm) -> list[Flowable]:
    """The rows under headings repeated on every page (``fast_rows``: thousands split cheaply)."""
    from reportlab.lib.units import mm

    from app.printing.fast_rows import FastRows

    widths = [w * mm for w in LIST_COLUMN_MM]
    room = [w - 2 * CELL_PAD - 0.5 for w in widths]
    data: list[list[str]] = []
    colours: dict[tuple[int, int], str] = {}
    for n, r in enumerate(form.rows):
        values = r.cells(unclassified="—")
        data.append([fit_cell(text, room[i]) for i, text in enumerate(values)])
        if r.secrecy:
            colours[(n, 4)] = SECRECY_COLOUR
    return [FastRows(LIST_COLUMNS, data, widths, centred=(0, 4, 5, 6, 7), colours=colours)]


def _signatures(people: Sequence[Signature]) -> Flowable:
    """Names filled in, each with a line to sign and the date."""
    rows = [[f"{p.role}：", p.name, "签字：", "", "日期：", p.on] for p in people]
    return signature_table(rows, (30, 40, 18, 60, 16, 40), row_mm=11)


def list_signatures(form: DestructionListForm) -> list[Signature]:
    """Who signs the 清册: the compiler, the appraisers, each approver, both 监销人."""
    people = [Signature("编制人", form.compiled_by, form.compiled_on)]
    people += [Signature("鉴定人", name, form.appraised_on) for name in form.appraisers]
    people += form.approvals
    people += [Signature("监销人", name, form.carried_out_on) for name in form.witnesses]
    if len(form.witnesses) < 2:
        people += [Signature("监销人", "", "")] * (2 - len(form.witnesses))
    return people


def render_destruction_list(form: DestructionListForm) -> bytes:
    """The 销毁清册 as PDF: cover, rows (headings on every page), notes, signatures."""
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

    from app.printing.page import PageSetup, render_document

    body = form_styles()["body"]
    story: list[Flowable] = [*_cover(form), PageBreak()]
    story += [*_row_tables(form), Spacer(1, 2 * mm)]
    if form.notes:
        story.append(Paragraph("更正备注：", body))
        story += [Paragraph(escape(f"{n + 1}. {t}"), body) for n, t in enumerate(form.notes)]
    closing = Paragraph(
        f"本清册共 {form.count} 卷。以上档案经鉴定已失去保存价值，经批准销毁；"
        "销毁时监销人在场监督，严禁出售或当作废纸处理。",
        body,
    )
    story.append(KeepTogether([Spacer(1, 4 * mm), closing, _signatures(list_signatures(form))]))
    setup = PageSetup.of(form, LIST_TITLE, form.secrecy_mark, landscape=True)
    block = info_line(
        [("清册编号", form.number), ("数量", f"{form.count} 卷"), ("状态", form.state_label)]
    )
    return render_document(setup, story, page_block=block)


def render_certificate(form: DestructionListForm) -> bytes:
    """The 销毁证明 of a carried-out list: what, when, where, how, witnessed by whom."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    from app.printing.page import PageSetup, render_document

    body = form_styles()["body"]
    first = form.rows[0].reference_code if form.rows else ""
    last = form.rows[-1].reference_code if form.rows else ""
    approvers = "、".join(f"{a.role}{a.name}" for a in form.approvals)
    text = (
        f"根据档案销毁清册 {form.number}（共 {form.count} 卷，档号 {first} 至 {last}），"
        f"经鉴定（{form.appraisal_number}，鉴定负责人{form.appraisal_leader}）并经{approvers}批准，"
        f"上述档案已于 {form.carried_out_on} 在{form.place}以“{form.method}”方式销毁，"
        f"监销人{'、'.join(form.witnesses)}在场监督。销毁过程符合规定，档案内容不可恢复，"
        "未出售或当作废纸处理；其中的电子文件已作密钥销毁（不可恢复）。"
    )
    rows = [
        ["清册编号", form.number, "数量", f"{form.count} 卷"],
        ["销毁日期", form.carried_out_on, "销毁方式", form.method],
        ["销毁地点", form.place, "监销人", "、".join(form.witnesses)],
    ]
    story: list[Flowable] = [
        _grid(rows, (30, 100, 30, 101), 11),
        Spacer(1, 8 * mm),
        Paragraph(escape(text), body),
        Spacer(1, 10 * mm),
        _signatures(
            [Signature("监销人", n, form.carried_out_on) for n in form.witnesses]
            + [Signature("档案管理员", form.compiled_by, form.carried_out_on)]
        ),
    ]
    setup = PageSetup.of(form, CERTIFICATE_TITLE, form.secrecy_mark, landscape=True)
    return render_document(setup, story)


def render_appraisal_record(form: AppraisalForm) -> bytes:
    """The 鉴定记录: appraisers and date, each volume's decision, opinion, signatures."""
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

    from app.printing.page import PageSetup, render_document

    body = form_styles()["body"]
    widths = [w * mm for w in APPRAISAL_COLUMN_MM]
    room = [w - 2 * CELL_PAD - 0.5 for w in widths]
    story: list[Flowable] = [
        _grid(
            [
                ["鉴定编号", form.number, "鉴定日期", form.appraised_on],
                [
                    "鉴定负责人",
                    form.appraisers[0] if form.appraisers else "",
                    "鉴定人",
                    "、".join(form.appraisers),
                ],
            ],
            (30, 100, 30, 101),
            11,
        ),
        Spacer(1, 5 * mm),
    ]
    rows = form.rows
    for start in range(0, max(len(rows), 1), ROWS_PER_TABLE):
        data: list[list[Any]] = [list(APPRAISAL_COLUMNS)]
        for r in rows[start : start + ROWS_PER_TABLE]:
            values = (
                str(r.seq),
                r.reference_code,
                r.title,
                str(r.year),
                r.secrecy or "—",
                r.retention,
                r.decision,
                r.note,
            )
            data.append([fit_cell(t, room[i]) for i, t in enumerate(values)])
        extra = [("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (3, 1), (6, -1), "CENTER")]
        story += [Table(data, colWidths=widths, repeatRows=1, style=table_style(extra))]
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(escape(f"鉴定意见：{form.opinion or '（无）'}"), body))
    story.append(
        KeepTogether(
            [
                Spacer(1, 4 * mm),
                _signatures([Signature("鉴定人", n, form.appraised_on) for n in form.appraisers]),
            ]
        )
    )
    setup = PageSetup.of(form, APPRAISAL_TITLE, form.secrecy_mark, landscape=True)
    block = info_line([("鉴定编号", form.number), ("鉴定日期", form.appraised_on)])
    return render_document(setup, story, page_block=block)
