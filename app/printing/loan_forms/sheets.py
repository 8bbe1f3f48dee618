"""The application form (申请单), the slip (借条, with its QR code), overdue notices (催还通知)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.printing.loan_forms.data import (
    APPLICATION_TITLE,
    NOTICE_TITLE,
    SLIP_TITLE,
    ApplicationSheet,
    LoanSlip,
    NoticeBatch,
    format_day,
)


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
    setup = PageSetup.of(sheet, APPLICATION_TITLE, sheet.secrecy_mark)
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
    setup = PageSetup.of(slip, SLIP_TITLE, slip.secrecy_mark)
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
    setup = PageSetup.of(batch, NOTICE_TITLE, batch.secrecy_mark)
    return render_document(setup, story)
