"""The loan desk's printed forms (R32–R35): 借阅登记簿, 复制摘抄登记簿, 申请单, 借条, 催还通知.

Pure functions over plain dataclasses filled by ``app.services.loan_print`` (which applied
the access checks and masked personal values); ReportLab loads only when rendering.

The registers are A4 landscape with every column of the domain brief's "Printed forms". Rows
are laid out once: each cell is broken into lines that fit its column (``wrap_lines``), rows
are measured from their line counts and cut into pages here, and every page is drawn as one
grid with its heading row. That keeps a register of thousands of entries linear (no table split
at every page break) and leaves the signature columns room for a pen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

REGISTER_TITLE = "借阅登记簿"
COPY_REGISTER_TITLE = "复制摘抄登记簿"
APPLICATION_TITLE = "档案查阅/借阅申请单"
SLIP_TITLE = "档案借条"
NOTICE_TITLE = "催还通知"

REGISTER_COLUMNS = (
    "登记号",
    "利用方式",
    "利用者",
    "单位/部门",
    "证件号/电话",
    "利用目的",
    "档号",
    "题名",
    "密级",
    "数量（卷/件/页）",
    "存放位置",
    "审批人/意见/日期",
    "借出日期",
    "应还日期",
    "续借",
    "实还日期",
    "归还核对（页数/完好）",
    "经办人（借出）",
    "经办人（归还）",
    "借阅人签字",
    "利用效果",
    "备注",
)
# millimetres; 261 mm is A4 landscape inside the 18 mm margins
REGISTER_MM = (14, 9, 11, 13, 15, 13, 18, 20, 8, 11, 10, 18, 11, 11, 6, 11, 12, 9, 9, 13, 9, 10)
COPY_COLUMNS = (
    "登记号",
    "日期",
    "利用方式",
    "利用者",
    "单位/部门",
    "利用目的",
    "档号",
    "题名",
    "密级",
    "件号",
    "页码范围",
    "页数",
    "份数",
    "审批人/意见/日期",
    "经办人",
    "领取人签字",
    "备注",
)
COPY_MM = (15, 12, 10, 13, 16, 18, 20, 30, 9, 10, 16, 9, 9, 22, 12, 20, 20)
SIGNATURE_COLUMNS = frozenset({"借阅人签字", "领取人签字"})
CELL_SIZE = 6.5
CELL_LEADING = 8.0
CELL_PAD = 1.6
ROW_MIN_MM = 9.0  # room for a signature


def format_day(value: date | None) -> str:
    """``2026-01-05`` (registers break it after the year), empty when unknown."""
    return value.isoformat() if value is not None else ""


@dataclass(frozen=True)
class RegisterSheet:
    """A register to print: its rows (already cell texts) and who prints it when.

    Attributes:
        title: 借阅登记簿 or 复制摘抄登记簿.
        scope: what the register covers (``2026-01-01 至 2026-01-31`` or ``当前未还``).
        rows: one tuple of cell texts per entry, in the columns of the title's form.
        secrecy_mark: the strongest 机密/绝密 marking among the rows (header, R17).
    """

    title: str
    scope: str
    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime
    rows: Sequence[Sequence[str]] = ()
    secrecy_mark: str = ""


@dataclass(frozen=True)
class ApprovalBlock:
    """One step of the route on the application form: who may sign, and who did."""

    step: str  # ``部门负责人``, ``信息管理专员或客服部经理`` …
    approver: str = ""  # ``刘芳（客服部经理）`` once signed
    decision: str = ""  # 同意 / 驳回 / ""
    opinion: str = ""
    decided_on: date | None = None


@dataclass(frozen=True)
class ApplicationSheet:
    """The 查阅/借阅申请单 with its approval blocks."""

    number: str
    kind_label: str
    state_label: str
    applicant: str
    unit_department: str
    credential: str  # ``介绍信 沪律函***********12号`` (masked) or ""
    phone: str  # masked
    purpose: str
    reason: str
    period: str
    filed_on: date
    entered_by: str
    volumes: Sequence[tuple[str, str, str, str, str]]  # 档号, 题名, 密级, 数量, 复制页码/份数
    approvals: Sequence[ApprovalBlock]
    rejection_reason: str
    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime
    secrecy_mark: str = ""


@dataclass(frozen=True)
class LoanSlip:
    """The 借条 the borrower signs and carries; its QR holds the loan number's scan form."""

    number: str
    qr_payload: str
    kind_label: str
    reference_code: str
    title: str
    secrecy: str
    quantity: str
    borrower: str
    unit_department: str
    purpose: str
    issued_on: date
    due_on: date
    issued_by: str
    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime
    secrecy_mark: str = ""


@dataclass(frozen=True)
class NoticeLine:
    """One overdue loan on a 催还通知."""

    number: str
    reference_code: str
    title: str
    issued_on: date
    due_on: date
    overdue_days: int


@dataclass(frozen=True)
class OverdueNotice:
    """A 催还通知 to one borrower, from the loans' current state."""

    borrower: str
    unit_department: str
    lines: Sequence[NoticeLine]
    escalate_to: str = ""  # department head(s) copied after N days overdue
    notice_on: date | None = None


@dataclass(frozen=True)
class NoticeBatch:
    """Notices printed together (one page or more per borrower)."""

    notices: Sequence[OverdueNotice]
    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime
    secrecy_mark: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# --- rendering (ReportLab loads here) --------------------------------------------------------
def _measure_cache() -> Any:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from app.printing.base import FONT, register_fonts

    register_fonts()
    widths: dict[str, float] = {}

    def measure(char: str) -> float:
        width = widths.get(char)
        if width is None:
            width = widths[char] = stringWidth(char, FONT, CELL_SIZE)
        return width

    return measure


def _register_page_class() -> type:
    """A flowable that draws one register page: grid, shaded heading, cell lines.

    Drawn directly (one ``canvas.grid`` for the rules, one text object for every line) rather
    than as a platypus ``Table``: a 5,000-entry register has over 100,000 cell lines, and a
    text object per cell was most of its rendering time.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Flowable

    from app.printing.base import FONT

    class RegisterPage(Flowable):  # type: ignore[misc]  # ReportLab has no type hints
        def __init__(
            self, widths: list[float], rows: list[list[list[str]]], heights: list[float]
        ) -> None:
            super().__init__()
            self.widths, self.rows, self.heights = widths, rows, heights
            self.width, self.height = sum(widths), sum(heights)

        def wrap(self, _aw: float, _ah: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            canvas = self.canv
            xs = [0.0]
            for w in self.widths:
                xs.append(xs[-1] + w)
            ys = [self.height]
            for h in self.heights:
                ys.append(ys[-1] - h)
            canvas.saveState()
            canvas.setFillGray(0.91)
            canvas.rect(0, ys[1], self.width, self.heights[0], stroke=0, fill=1)
            canvas.restoreState()
            canvas.setLineWidth(0.4)
            canvas.grid(xs, ys)
            text = canvas.beginText()
            text.setFont(FONT, CELL_SIZE, CELL_LEADING)
            for r, (row, height) in enumerate(zip(self.rows, self.heights, strict=True)):
                for col, lines in enumerate(row):
                    if not lines:
                        continue
                    first = ys[r] - (height - len(lines) * CELL_LEADING) / 2 - CELL_SIZE
                    for n, line in enumerate(lines):
                        x = xs[col] + CELL_PAD
                        if r == 0:  # headings centred
                            x = (
                                xs[col]
                                + (self.widths[col] - stringWidth(line, FONT, CELL_SIZE)) / 2
                            )
                        text.setTextOrigin(x, first - n * CELL_LEADING)
                        text.textOut(line)
            canvas.drawText(text)

    return RegisterPage


def _register_table(
    sheet: RegisterSheet, columns: Sequence[str], widths_mm: Sequence[int]
) -> list[Any]:
    """The register as one drawn page per page (heading row repeated), cut by measured heights."""
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak

    from app.printing.catalogue_forms import wrap_lines
    from app.printing.page import FOOTER_H, HEADER_H

    measure = _measure_cache()
    page_class = _register_page_class()
    widths = [w * mm for w in widths_mm]
    room = [w - 2 * CELL_PAD - 0.3 for w in widths]

    def cell(text: str, column: int) -> list[str]:
        if not text:
            return []
        if "\n" not in text and len(text) * CELL_SIZE <= room[column]:
            return [text]
        return wrap_lines(text, room[column], measure)

    def row_height(cells: list[list[str]], minimum: float) -> float:
        lines = max((len(c) for c in cells), default=1) or 1
        return max(lines * CELL_LEADING + 2 * CELL_PAD + 2, minimum)

    heading = [cell(c, n) for n, c in enumerate(columns)]
    heading_h = row_height(heading, 0)
    min_h = ROW_MIN_MM * mm
    page_h = (210 * mm) - HEADER_H - FOOTER_H - 8 * mm  # landscape height less the scope line
    story: list[Any] = []
    page: list[list[list[str]]] = []
    heights: list[float] = []
    used = heading_h

    def flush() -> None:
        if story:
            story.append(PageBreak())
        story.append(page_class(widths, [heading, *page], [heading_h, *heights]))

    for row in sheet.rows:
        cells = [cell(text, n) for n, text in enumerate(row)]
        height = row_height(cells, min_h)
        if page and used + height > page_h:
            flush()
            page, heights, used = [], [], heading_h
        page.append(cells)
        heights.append(height)
        used += height
    flush()  # also an empty register prints its heading row
    return story


def render_register(sheet: RegisterSheet) -> bytes:
    """A register (借阅登记簿 or 复制摘抄登记簿) as PDF: A4 landscape, every column."""
    from reportlab.platypus import Paragraph

    from app.printing.catalogue_forms import _styles
    from app.printing.page import PageSetup, render_document

    copies = sheet.title == COPY_REGISTER_TITLE
    columns, widths = (COPY_COLUMNS, COPY_MM) if copies else (REGISTER_COLUMNS, REGISTER_MM)
    setup = PageSetup(
        organisation=sheet.organisation,
        title=sheet.title,
        printed_by=sheet.printed_by,
        printed_by_username=sheet.printed_by_username,
        printed_at=sheet.printed_at,
        secrecy_mark=sheet.secrecy_mark,
        landscape=True,
    )
    scope = Paragraph(f"登记范围：{sheet.scope}　共 {len(sheet.rows)} 条", _styles()["value"])
    return render_document(setup, _register_table(sheet, columns, widths), page_block=scope)


def _field_table(rows: list[list[Any]], widths_mm: Sequence[float]) -> Any:
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    from app.printing.base import FONT

    table = Table(rows, colWidths=[w * mm for w in widths_mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("GRID", (0, 0), (-1, -1), 0.6, "black"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _p(text: str, style: str = "value") -> Any:
    from reportlab.platypus import Paragraph

    from app.printing.catalogue_forms import _markup, _styles

    return Paragraph(_markup(text), _styles()[style])


def render_application(sheet: ApplicationSheet) -> bytes:
    """The 查阅/借阅申请单: applicant, material, one approval block per route step."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer, Table, TableStyle

    from app.printing.base import FONT
    from app.printing.catalogue_forms import format_form_date
    from app.printing.page import PageSetup, render_document

    label = "label"
    fields = _field_table(
        [
            [_p("申请编号", label), _p(sheet.number), _p("利用方式", label), _p(sheet.kind_label)],
            [
                _p("利用者", label),
                _p(sheet.applicant),
                _p("单位/部门", label),
                _p(sheet.unit_department),
            ],
            [
                _p("介绍信/工作证", label),
                _p(sheet.credential or "—"),
                _p("联系电话", label),
                _p(sheet.phone or "—"),
            ],
            [_p("利用目的", label), _p(sheet.purpose), _p("利用期限", label), _p(sheet.period)],
            [_p("理由", label), _p(sheet.reason or "—"), "", ""],
            [
                _p("申请日期", label),
                _p(format_form_date(sheet.filed_on)),
                _p("登记人", label),
                _p(sheet.entered_by),
            ],
        ],
        (28, 59, 28, 59),
    )
    fields.setStyle(
        TableStyle(
            [
                ("SPAN", (1, 4), (-1, 4)),
                ("BACKGROUND", (0, 0), (0, -1), "#f0f0f0"),
                ("BACKGROUND", (2, 0), (2, 3), "#f0f0f0"),
                ("BACKGROUND", (2, 5), (2, 5), "#f0f0f0"),
            ]
        )
    )
    volume_rows: list[list[Any]] = [
        [_p(t, label) for t in ("档号", "题名", "密级", "数量", "复制页码/份数")]
    ]
    volume_rows += [[_p(c) for c in line] for line in sheet.volumes]
    volumes = _field_table(volume_rows, (40, 66, 22, 22, 24))
    volumes.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), "#f0f0f0")]))
    blocks: list[Any] = []
    for n, block in enumerate(sheet.approvals, start=1):
        signed = bool(block.approver)
        rows = [
            [_p(f"审批{n}：{block.step}", "heading"), "", ""],
            [_p("审批意见", label), _p(block.opinion if signed else ""), ""],
            [
                _p("审批人签字", label),
                _p(f"{block.approver}（{block.decision}）" if signed else ""),
                _p(
                    "日期："
                    + (
                        format_form_date(block.decided_on)
                        if block.decided_on
                        else "＿＿＿＿年＿＿月＿＿日"
                    )
                ),
            ],
        ]
        table = Table(
            rows, colWidths=[28 * mm, 96 * mm, 50 * mm], rowHeights=[9 * mm, 16 * mm, 11 * mm]
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), FONT, 10),
                    ("BOX", (0, 0), (-1, -1), 0.8, "black"),
                    ("SPAN", (0, 0), (-1, 0)),
                    ("SPAN", (1, 1), (-1, 1)),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.4, "black"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        blocks += [table, Spacer(1, 3 * mm)]
    signatures = Table(
        [["申请人签字：", "", "部门（盖章）：", ""], ["日期：", "", "部门负责人签字：", ""]],
        colWidths=[w * mm for w in (26, 58, 32, 58)],
        rowHeights=[12 * mm, 12 * mm],
    )
    signatures.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LINEBELOW", (1, 0), (1, -1), 0.5, "black"),
                ("LINEBELOW", (3, 0), (3, -1), 0.5, "black"),
            ]
        )
    )
    story: list[Any] = [
        fields,
        Spacer(1, 4 * mm),
        _p("利用的档案", "heading"),
        Spacer(1, 1 * mm),
        volumes,
        Spacer(1, 4 * mm),
        signatures,
        Spacer(1, 5 * mm),
    ]
    story += [_p(f"审批（{sheet.state_label}）", "heading"), Spacer(1, 2 * mm), *blocks]
    if sheet.rejection_reason:
        story.append(_p(f"驳回理由：{sheet.rejection_reason}", "body"))
    setup = PageSetup(
        organisation=sheet.organisation,
        title=APPLICATION_TITLE,
        printed_by=sheet.printed_by,
        printed_by_username=sheet.printed_by_username,
        printed_at=sheet.printed_at,
        secrecy_mark=sheet.secrecy_mark,
    )
    return render_document(setup, story)


def qr_drawing(payload: str, size_mm: float = 32.0) -> Any:
    """A QR code flowable (error correction M) for ``payload``."""
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.units import mm

    widget = QrCodeWidget(payload, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    size = size_mm * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def render_slip(slip: LoanSlip) -> bytes:
    """The 借条: loan number as text and QR, the volume, dates and signature lines."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer, Table, TableStyle

    from app.printing.catalogue_forms import format_form_date
    from app.printing.page import PageSetup, render_document

    label = "label"
    top = Table(
        [
            [
                qr_drawing(slip.qr_payload),
                _p(
                    f"登记号　{slip.number}\n利用方式　{slip.kind_label}\n"
                    f"应还日期　{format_form_date(slip.due_on)}",
                    "body",
                ),
            ]
        ],
        colWidths=[40 * mm, 134 * mm],
    )
    top.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    fields = _field_table(
        [
            [
                _p("档号", label),
                _p(slip.reference_code),
                _p("密级", label),
                _p(slip.secrecy or "—"),
            ],
            [_p("题名", label), _p(slip.title), "", ""],
            [_p("数量", label), _p(slip.quantity), _p("利用目的", label), _p(slip.purpose)],
            [
                _p("借阅人", label),
                _p(slip.borrower),
                _p("单位/部门", label),
                _p(slip.unit_department),
            ],
            [
                _p("借出日期", label),
                _p(format_form_date(slip.issued_on)),
                _p("应还日期", label),
                _p(format_form_date(slip.due_on)),
            ],
            [_p("经办人", label), _p(slip.issued_by), _p("借阅人签字", label), ""],
        ],
        (24, 63, 24, 63),
    )
    fields.setStyle(TableStyle([("SPAN", (1, 1), (-1, 1)), ("BOTTOMPADDING", (0, 5), (-1, 5), 24)]))
    note = _p(
        "请妥善保管所借档案，不得转借、拆卷、涂改或私自复制。归还时请出示本借条，"
        "当面清点页数与完好情况后注销登记。逾期未还将发出催还通知并告知部门负责人。",
        "body",
    )
    setup = PageSetup(
        organisation=slip.organisation,
        title=SLIP_TITLE,
        printed_by=slip.printed_by,
        printed_by_username=slip.printed_by_username,
        printed_at=slip.printed_at,
        secrecy_mark=slip.secrecy_mark,
    )
    cut = Table([[""]], colWidths=[174 * mm], rowHeights=[2 * mm])
    cut.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, "#888888", None, (3, 3))]))
    return render_document(
        setup, [top, Spacer(1, 3 * mm), fields, Spacer(1, 4 * mm), note, Spacer(1, 6 * mm), cut]
    )


def render_notices(batch: NoticeBatch) -> bytes:
    """催还通知, one page per borrower, from the loans' current state."""
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Spacer

    from app.printing.catalogue_forms import format_form_date
    from app.printing.page import PageSetup, render_document

    story: list[Any] = []
    for n, notice in enumerate(batch.notices):
        if n:
            story.append(PageBreak())
        story.append(_p(f"{notice.unit_department}　{notice.borrower}：", "body"))
        story.append(
            _p(
                "您借阅的下列档案已超过应还日期，按公司档案管理规定，逾期属违规行为。"
                "请于收到本通知后立即归还档案室，并当面清点注销。如需继续使用，请办理续借审批。",
                "body",
            )
        )
        story.append(Spacer(1, 3 * mm))
        rows: list[list[Any]] = [
            [_p(t, "label") for t in ("登记号", "档号", "题名", "借出日期", "应还日期", "逾期天数")]
        ]
        rows += [
            [
                _p(line.number, "cell"),
                _p(line.reference_code, "cell"),
                _p(line.title, "cell"),
                _p(format_day(line.issued_on), "cell"),
                _p(format_day(line.due_on), "cell"),
                _p(f"{line.overdue_days} 天", "cell"),
            ]
            for line in notice.lines
        ]
        story.append(_field_table(rows, (28, 38, 52, 20, 20, 16)))
        story.append(Spacer(1, 5 * mm))
        if notice.escalate_to:
            story.append(_p(f"抄送：部门负责人 {notice.escalate_to}", "body"))
        day = notice.notice_on or batch.printed_at.date()
        story.append(Spacer(1, 8 * mm))
        story.append(_p(f"档案室（经办人：{batch.printed_by}）　{format_form_date(day)}", "body"))
        story.append(Spacer(1, 10 * mm))
        story.append(_p("签收人：＿＿＿＿＿＿＿＿　签收日期：＿＿＿＿年＿＿月＿＿日", "body"))
    setup = PageSetup(
        organisation=batch.organisation,
        title=NOTICE_TITLE,
        printed_by=batch.printed_by,
        printed_by_username=batch.printed_by_username,
        printed_at=batch.printed_at,
        secrecy_mark=batch.secrecy_mark,
    )
    return render_document(setup, story)
