"""The 档案保管交接清单 as printed (R22, R26): details, every line with a 核对 box, signatures.

The service (``app.services.locations.printing``) fills
:class:`~app.printing.location_forms.HandoverForm` within the reader's clearance; this module
lays it out on the standard A4 page. ReportLab is loaded only when rendering.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from app.printing.catalogue_forms import format_form_date
from app.printing.location_forms import (
    NOT_CLASSIFIED,
    RESTRICTED,
    SECRECY_COLOUR,
    HandoverForm,
    fit_cell,
    form_styles,
    info_line,
)
from app.printing.tables import CELL_PAD, signature_table, table_style

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

HANDOVER_TITLE = "档案保管交接清单"
HANDOVER_COLUMNS = ("序号", "位置", "盒号", "档号", "密级", "件数", "页数", "核对")
HANDOVER_COLUMN_MM = (11, 30, 20, 48, 22, 14, 15, 14)  # 174 mm
CHECK_BOX = "□"  # U+25A1: the bundled font has no ☐ (U+2610)
SIGNERS = ("移交人", "接收人", "监交人")


def _handover_details(form: HandoverForm) -> Flowable:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table

    from app.printing.base import FONT

    styles = form_styles()
    label, value = styles["label"], styles["value"]

    def p(text: str) -> Any:
        return Paragraph(escape(text).replace("\n", "<br/>"), value)

    rows = [
        [
            Paragraph("移交人", label),
            p(form.from_name),
            Paragraph("接收人", label),
            p(form.to_name),
        ],
        [
            Paragraph("监交人", label),
            p(form.witness or "（无）"),
            Paragraph("交接日期", label),
            p(format_form_date(form.handed_over_on)),
        ],
        [Paragraph("交接位置", label), p("、".join(form.places)), "", ""],
        [Paragraph("说明", label), p(form.note or "（无）"), "", ""],
    ]
    table = Table(rows, colWidths=[w * mm for w in (20, 67, 20, 67)])
    table.setStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 10),
            ("SPAN", (1, 2), (-1, 2)),
            ("SPAN", (1, 3), (-1, 3)),
            ("GRID", (0, 0), (-1, -1), 0.6, "black"),
            ("BACKGROUND", (0, 0), (0, -1), "#f0f0f0"),
            ("BACKGROUND", (2, 0), (2, 1), "#f0f0f0"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )
    return table


def _signatures(form: HandoverForm) -> Flowable:
    names = (form.from_name, form.to_name, form.witness)  # a missing 监交人 is written in
    rows = [
        [f"{who}：", name, "签字：", "", "日期：", ""]
        for who, name in zip(SIGNERS, names, strict=True)
    ]
    return signature_table(rows, (20, 34, 16, 50, 14, 40))


def render_handover(form: HandoverForm) -> bytes:
    """The 档案保管交接清单 as PDF: details, every line with a 核对 box, totals, signatures.

    The signature block (移交人, 接收人, 监交人, each with 签字 and 日期) is kept together and
    comes after the totals, so it is always on the last page.
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

    from app.printing.page import PageSetup, render_document

    form_styles()  # registers the font the cells are measured in
    widths = [w * mm for w in HANDOVER_COLUMN_MM]
    room = [w - 2 * CELL_PAD - 0.5 for w in widths]
    data: list[list[Any]] = [list(HANDOVER_COLUMNS)]
    extra: list[tuple[Any, ...]] = [
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (4, 1), (4, -1), "CENTER"),
        ("ALIGN", (5, 1), (6, -1), "RIGHT"),
        ("ALIGN", (7, 1), (7, -1), "CENTER"),
        ("FONTSIZE", (7, 1), (7, -1), 12),  # a check box big enough to tick
        ("LEADING", (7, 1), (7, -1), 13),
    ]
    for seq, line in enumerate(form.lines, start=1):
        secrecy = line.secrecy_label or (NOT_CLASSIFIED if line.reference_code else "")
        counts = ["", ""] if line.restricted else [str(line.items), str(line.pages)]
        values = [
            str(seq),
            line.location_code,
            line.box_code,
            line.reference_code or ("（空盒）" if line.box_code else ""),
            RESTRICTED if line.restricted else secrecy,
            *counts,
            CHECK_BOX,
        ]
        data.append([fit_cell(text, room[i]) for i, text in enumerate(values)])
        if line.secrecy_label and not line.restricted:
            extra.append(("TEXTCOLOR", (4, seq), (4, seq), SECRECY_COLOUR))
    boxes, volumes, items, pages = form.totals
    total_row = len(data)
    data.append(["合计", "", f"{boxes} 盒", f"{volumes} 卷", "", str(items), str(pages), ""])
    extra += [
        ("SPAN", (0, total_row), (1, total_row)),
        ("ALIGN", (0, total_row), (1, total_row), "CENTER"),
        ("BACKGROUND", (0, total_row), (-1, total_row), "#f0f0f0"),
        ("LINEABOVE", (0, total_row), (-1, total_row), 1.2, "black"),
    ]
    lines = Table(data, colWidths=widths, repeatRows=1, style=table_style(extra))
    body = form_styles()["body"]
    closing = Paragraph(
        f"以上共 {boxes} 个档案盒、{volumes} 卷，合计 {items} 件、{pages} 页，"
        "经交接双方逐项核对无误（核对一栏逐行打 ✓）。本清单一式两份，移交人、接收人各执一份。",
        body,
    )
    story = [
        _handover_details(form),
        Spacer(1, 4 * mm),
        lines,
        Spacer(1, 5 * mm),
        KeepTogether([closing, Spacer(1, 2 * mm), _signatures(form)]),
    ]
    setup = PageSetup.of(form, HANDOVER_TITLE, form.secrecy_mark)
    block = info_line(
        [
            ("交接编号", form.handover_number),
            ("交接日期", format_form_date(form.handed_over_on)),
            ("移交人", form.from_name),
            ("接收人", form.to_name),
        ]
    )
    return render_document(setup, story, page_block=block)
