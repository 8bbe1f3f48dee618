"""Labels (R24, R17): box spine, volume and shelf labels on a label stock, and a calibration page.

Each label carries a QR code holding ``scan_payload(code)`` (the code in scan form, ``*`` and
its check character, so a mis-scan is rejected) and readable text: the code with its check
character, year, retention, the secrecy mark (red, boxed, and always as text: 秘密,
机密★20年; R17 "colour plus text") and the location.

What a label never shows: personal data and titles. A customer file's title carries the
customer's name (``张三丰2024年度客户档案``) and a box sits on an open shelf, so a title on its
spine would publish the name (and, for 机密/绝密 material, what the volume is about) to anyone
walking past. :class:`LabelContent` therefore has no title field at all; ``extra_lines`` are
for codes and counts (``盒内 12 卷``, ``起 …0001 止 …0012``), never names.

The QR code is drawn as vector rectangles from the ``qrcode`` library's module matrix (one
rectangle per run of dark modules in a row, one fill for the whole symbol, in module units
under a scaling matrix so the PDF stays small): well over ten times faster than ReportLab's QR
widget (``bench/bench_labels.py``). Error correction M; a fixed mask pattern skips building
and scoring all eight masks, most of the encoding time (ISO/IEC 18004 allows any mask).

ReportLab is imported only when something is rendered. What a label says is in
``app.printing.label_content``, how one label is drawn in ``app.printing.label_draw``; this
module lays labels out on a stock's sheets and draws the calibration page (and re-exports the
label API, so callers import it from here).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from app.domain.label_stock import LabelStock, check_start
from app.domain.scan_codes import scan_payload
from app.printing.label_content import (
    KIND_CAPTIONS,
    MAX_EXTRA_LINES,
    LabelContent,
    LabelKind,
    box_label,
    check_labels,
    location_label,
)
from app.printing.label_draw import (
    MM,
    draw_label,
    draw_qr,
    qr_matrix,
    qr_operators,
    split_code,
    width_1pt,
)

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

# The label API lives in three modules (content, drawing, sheets); callers import it from here.
__all__ = [
    "KIND_CAPTIONS",
    "MAX_EXTRA_LINES",
    "MM",
    "LabelContent",
    "LabelKind",
    "box_label",
    "check_labels",
    "draw_label",
    "draw_qr",
    "location_label",
    "qr_matrix",
    "qr_operators",
    "render_calibration",
    "render_labels",
    "split_code",
]

CREATOR = "档案室 Archive Room"
RULER_CLEAR = 6.0  # mm kept free of calibration text along the rulered edges


def _outline(canvas: Canvas, stock: LabelStock, x: float, y: float) -> None:
    w, h = stock.label_width * MM, stock.label_height * MM
    if stock.corner_radius > 0:
        canvas.roundRect(x, y, w, h, stock.corner_radius * MM, stroke=1, fill=0)
    else:
        canvas.rect(x, y, w, h, stroke=1, fill=0)


def _new_canvas(buffer: io.BytesIO, stock: LabelStock, title: str) -> Canvas:
    from reportlab.pdfgen.canvas import Canvas

    from app.printing.base import register_fonts

    register_fonts()
    canvas = Canvas(
        buffer, pagesize=(stock.page_width * MM, stock.page_height * MM), pageCompression=1
    )
    canvas.setTitle(title)
    canvas.setCreator(CREATOR)
    return canvas


def _label_box(stock: LabelStock, index: int) -> tuple[float, float, float, float]:
    """(x, y, width, height) in points of position ``index`` (y = its bottom edge)."""
    left, top = stock.origin(index)
    w, h = stock.label_width * MM, stock.label_height * MM
    return left * MM, (stock.page_height - top) * MM - h, w, h


def render_labels(
    labels: Sequence[LabelContent], stock: LabelStock, *, start: int = 0, title: str = "标签"
) -> bytes:
    """The labels on ``stock`` from position ``start`` of the first page on; return the PDF.

    Positions before ``start`` on the first page stay empty (a half-used sheet); later pages
    start at the first position.
    """
    check_labels(labels)
    check_start(stock, start)
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, stock, title)
    matrices: dict[str, list[list[bool]]] = {}
    position = start
    for label in labels:
        if position == stock.per_page:
            canvas.showPage()
            position = 0
        payload = scan_payload(label.code)
        matrix = matrices.get(payload)
        if matrix is None:
            matrix = matrices[payload] = qr_matrix(payload)
        x, y, w, h = _label_box(stock, position)
        if stock.cut_lines:
            canvas.saveState()
            canvas.setStrokeGray(0.6)
            canvas.setLineWidth(0.3)
            canvas.setDash(2, 2)
            _outline(canvas, stock, x, y)
            canvas.restoreState()
        draw_label(canvas, label, matrix, x, y, w, h)
        position += 1
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- calibration page ------------------------------------------------------------------------
def _rulers(canvas: Canvas, stock: LabelStock) -> None:
    """Millimetre rulers along the top and left edges (numbers every 10 mm)."""
    from app.printing.base import FONT

    page_h = stock.page_height * MM
    canvas.saveState()
    canvas.setStrokeGray(0)
    canvas.setLineWidth(0.25)
    canvas.setFillGray(0)
    canvas.setFont(FONT, 5)
    for mm_x in range(0, int(stock.page_width) + 1):
        length = 4.0 if mm_x % 10 == 0 else 2.5 if mm_x % 5 == 0 else 1.5
        x = mm_x * MM
        canvas.line(x, page_h, x, page_h - length * MM)
        if mm_x % 10 == 0 and 0 < mm_x < stock.page_width - 3:
            canvas.drawString(x + 0.5 * MM, page_h - 4.5 * MM, str(mm_x))
    for mm_y in range(0, int(stock.page_height) + 1):
        length = 4.0 if mm_y % 10 == 0 else 2.5 if mm_y % 5 == 0 else 1.5
        y = page_h - mm_y * MM
        canvas.line(0, y, length * MM, y)
        if mm_y % 10 == 0 and 0 < mm_y < stock.page_height - 3:
            canvas.drawString(0.8 * MM, y - 2.2 * MM, str(mm_y))
    canvas.restoreState()


def _crosshair(canvas: Canvas, x: float, y: float, reach: float) -> None:
    canvas.line(x - reach, y, x + reach, y)
    canvas.line(x, y - reach, x, y + reach)
    canvas.circle(x, y, reach * 0.35, stroke=1, fill=0)


def render_calibration(
    stock: LabelStock, *, start: int = 0, printed_at: datetime | None = None
) -> bytes:
    """One page of ``stock``: every label outlined and numbered, rulers, margin crosshairs.

    Positions before ``start`` are shaded as used; a 100 mm line checks the print scale.
    """
    from reportlab.lib.colors import Color

    from app.printing.base import FONT
    from app.printing.page import draw_bold, format_printed_at

    check_start(stock, start)
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, stock, "标签纸校准页")
    page_w, page_h = stock.page_width * MM, stock.page_height * MM
    small = min(stock.label_width, stock.label_height)
    number_pt = max(4.0, min(9.0, small * 0.25))
    canvas.setLineWidth(0.4)
    for index in range(stock.per_page):
        x, y, w, h = _label_box(stock, index)
        canvas.saveState()
        if index < start:
            canvas.setFillGray(0.85)
            if stock.corner_radius > 0:
                canvas.roundRect(x, y, w, h, stock.corner_radius * MM, stroke=0, fill=1)
            else:
                canvas.rect(x, y, w, h, stroke=0, fill=1)
        canvas.setStrokeGray(0)
        _outline(canvas, stock, x, y)
        row, column = stock.cell(index)
        canvas.setFillGray(0.2)
        canvas.setFont(FONT, number_pt)
        tag = f"{index + 1}（{row + 1} 行 {column + 1} 列）"
        if width_1pt(tag) * number_pt > w - RULER_CLEAR * MM:
            tag = str(index + 1)
        # keep clear of the rulers along the top and left edges
        text_x = max(x + 1.2 * MM, RULER_CLEAR * MM)
        text_top = min(y + h - 1.2 * MM, page_h - RULER_CLEAR * MM)
        canvas.drawString(text_x, text_top - number_pt, tag)
        if index < start:
            canvas.drawString(text_x, y + 1.2 * MM, "已用")
        elif index == start:
            draw_bold(canvas, text_x, y + 1.2 * MM, "从此开始", number_pt, Color(0, 0.4, 0))
        canvas.restoreState()
    # crosshairs at the first label's top-left corner (the margins) and the last's bottom right
    canvas.saveState()
    canvas.setStrokeColor(Color(0.75, 0, 0))
    canvas.setLineWidth(0.3)
    first_x, first_top = stock.left_margin * MM, page_h - stock.top_margin * MM
    reach = max(2.0, min(6.0, small * 0.2)) * MM
    _crosshair(canvas, first_x, first_top, reach)
    last_x, last_y, last_w, _ = _label_box(stock, stock.per_page - 1)
    _crosshair(canvas, last_x + last_w, last_y, reach)
    canvas.setDash(1, 2)
    canvas.line(first_x, 0, first_x, page_h)
    canvas.line(0, first_top, page_w, first_top)
    canvas.restoreState()
    _rulers(canvas, stock)
    _calibration_note(canvas, stock, start, printed_at, format_printed_at)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _calibration_note(
    canvas: Canvas, stock: LabelStock, start: int, printed_at: datetime | None, fmt: Any
) -> None:
    """The centred note: what stock, how to check, a scale line of known length."""
    from app.printing.base import FONT
    from app.printing.page import BLACK, draw_bold

    page_w, page_h = stock.page_width * MM, stock.page_height * MM
    scale_mm = 100 if stock.page_width >= 130 else 50 if stock.page_width >= 70 else 20
    lines = [
        f"边距：上 {stock.top_margin:g} mm，左 {stock.left_margin:g} mm；"
        f"间距：列 {stock.gap_x:g} mm，行 {stock.gap_y:g} mm",
        "打印时选“实际大小（100%）”，不要“适合页面”。",
        "把本页与标签纸叠放对光查看：每个框都应与一张标签的边缘重合，",
        "红色十字在第一张标签的左上角和最后一张标签的右下角。",
        f"下方横线长 {scale_mm} mm，可用直尺核对打印比例。",
        f"起始位置：第 {start + 1} 张" + (f"；打印于 {fmt(printed_at)}" if printed_at else ""),
    ]
    title = "标签纸校准页"
    avail = page_w - 2 * (RULER_CLEAR + 2) * MM
    size = 9.0
    for text in [stock.name, stock.description, *lines]:
        size = min(size, avail / max(width_1pt(text), 0.01))
    size = max(size, 3.0)
    title_pt = min(16.0, size * 1.8)
    leading = size * 1.45
    box_w = max(width_1pt(t) * size for t in [stock.name, stock.description, *lines]) + 6 * MM
    box_w = max(box_w, scale_mm * MM + 6 * MM)
    box_h = title_pt * 1.6 + leading * (len(lines) + 2) + 8 * MM
    box_x = (page_w - box_w) / 2
    box_y = (page_h - box_h) / 2
    canvas.saveState()
    canvas.setFillGray(1)
    canvas.setStrokeGray(0)
    canvas.setLineWidth(0.6)
    canvas.rect(box_x, box_y, box_w, box_h, stroke=1, fill=1)
    y = box_y + box_h - 3 * MM - title_pt
    draw_bold(canvas, box_x + 3 * MM, y, title, title_pt, BLACK)
    y -= title_pt * 0.6
    canvas.setFillGray(0)
    for text in [stock.name, stock.description, *lines]:
        y -= leading
        canvas.setFont(FONT, size)
        canvas.drawString(box_x + 3 * MM, y, text)
    y -= 3 * MM
    canvas.setLineWidth(0.8)
    canvas.line(box_x + 3 * MM, y, box_x + 3 * MM + scale_mm * MM, y)
    for end in (0, scale_mm):
        tick = box_x + 3 * MM + end * MM
        canvas.line(tick, y - 1.2 * MM, tick, y + 1.2 * MM)
    canvas.restoreState()
