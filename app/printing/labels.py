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

ReportLab is imported only when something is rendered.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from app.domain.label_stock import LabelStock, check_start
from app.domain.scan_codes import SEPARATOR, check_character, scan_payload
from app.errors import FieldError, ValidationFailed

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

MM = 72 / 25.4
QR_MASK = 0  # fixed mask pattern
QR_QUIET = 2  # modules of white around the symbol inside the label (plus the label's padding)
MAX_EXTRA_LINES = 3
MIN_TEXT_PT = 4.5
CODE_BREAKS = "-·./_ "  # a long code may be broken after these on narrow labels
LEADING = 1.22
TALL_READABLE_PT = 7.0  # smallest size worth keeping a line whole on a spine strip
MIN_CODE_PIECE = 4  # characters: a broken code never leaves a stub on a line
BOX_PAD = 1.5  # points between a boxed secrecy mark and its frame
CREATOR = "档案室 Archive Room"
RULER_CLEAR = 6.0  # mm kept free of calibration text along the rulered edges


class LabelKind(StrEnum):
    """What a label is stuck on."""

    BOX_SPINE = "box_spine"  # 档案盒脊背
    VOLUME = "volume"  # 案卷
    SHELF = "shelf"  # 架位 (a location)


KIND_CAPTIONS = {
    LabelKind.BOX_SPINE: "档案盒",
    LabelKind.VOLUME: "案卷",
    LabelKind.SHELF: "存放位置",
}


@dataclass(frozen=True)
class LabelContent:
    """What one label shows; no names, no titles (see the module docstring).

    Attributes:
        kind: box spine, volume or shelf label.
        code: the 档号, box code or location code (as stored; the QR holds its scan form).
        year: 年度 (box and volume labels), None when not applicable.
        retention_label: 保管期限 as printed (``永久``, ``定期30年``), or empty.
        secrecy_mark: ``Secrecy.marking()`` (``秘密``, ``机密★20年``), empty when unclassified.
        location_code: where the box or volume sits (``K1-03-A-2-4``), or empty.
        extra_lines: up to three short lines of codes or counts; never personal data.
    """

    kind: LabelKind
    code: str
    year: int | None = None
    retention_label: str = ""
    secrecy_mark: str = ""
    location_code: str = ""
    extra_lines: tuple[str, ...] = ()

    @property
    def readable_code(self) -> str:
        """The code with its check character, as printed: ``Z001-KH·2024-Y-0001*H``."""
        return f"{self.code}{SEPARATOR}{check_character(self.code)}"


def check_labels(labels: Sequence[LabelContent]) -> None:
    """Refuse an empty list, a code no scanner can type, or too many extra lines."""
    errors: list[FieldError] = []
    if not labels:
        errors.append(FieldError("labels", "labels_empty"))
    for number, label in enumerate(labels):
        try:
            scan_payload(label.code)
        except ValueError:
            errors.append(FieldError(f"labels.{number}", "scan_chars", {"code": label.code}))
        if len(label.extra_lines) > MAX_EXTRA_LINES:
            errors.append(FieldError(f"labels.{number}", "extra_lines", {"max": MAX_EXTRA_LINES}))
    if errors:
        raise ValidationFailed(errors)


# --- building labels from what the caller has -------------------------------------------------
_LEVEL_ORDER = ("绝密", "机密", "秘密")  # strongest first
_RETENTION_ORDER = ("永久", "定期30年", "定期10年")  # longest first


def _mark_rank(mark: str) -> tuple[int, int]:
    """(level, term) of a marking such as ``机密★20年`` for comparison; (0, 0) when empty."""
    for position, level in enumerate(_LEVEL_ORDER):
        if mark.startswith(level):
            digits = "".join(ch for ch in mark.partition("★")[2] if ch.isdigit())
            return len(_LEVEL_ORDER) - position, int(digits) if digits else 0
    return 0, 0


def box_label(
    code: str, volumes: Sequence[LabelContent], *, location_code: str = ""
) -> LabelContent:
    """The spine label of box ``code`` from the labels of the volumes it holds (R17, R24).

    The box shows the strongest secrecy mark inside it (a 机密 volume makes it a 机密 box),
    the longest retention, the year or the span of years, the number of volumes and the first
    and last 档号 (起止档号 of DA/T 22-2015's 盒脊). Nothing else: no title of any volume.
    """
    marks = [v.secrecy_mark for v in volumes if v.secrecy_mark]
    mark = max(marks, key=_mark_rank, default="")
    years = sorted({v.year for v in volumes if v.year is not None})
    kept = [v.retention_label for v in volumes if v.retention_label]
    retention = min(
        kept,
        key=lambda r: _RETENTION_ORDER.index(r) if r in _RETENTION_ORDER else -1,
        default="",
    )
    count = f"盒内 {len(volumes)} 卷"
    if len(years) > 1:
        count += f"，{years[0]}–{years[-1]}年"
    extra = [count]
    if volumes:
        extra.append(f"起 {volumes[0].code}")
    if len(volumes) > 1:
        extra.append(f"止 {volumes[-1].code}")
    return LabelContent(
        kind=LabelKind.BOX_SPINE,
        code=code,
        year=years[0] if len(years) == 1 else None,
        retention_label=retention,
        secrecy_mark=mark,
        location_code=location_code,
        extra_lines=tuple(extra[:MAX_EXTRA_LINES]),
    )


def location_label(code: str, *, secure: bool = False, capacity: int | None = None) -> LabelContent:
    """The shelf label of location ``code`` (a 位, 层 or cabinet); secure ones say so (R22).

    The custodian's name is not printed: a label is read by anyone passing by.
    """
    extra: list[str] = []
    if secure:
        extra.append("涉密专柜 · 专人管理")
    if capacity is not None:
        extra.append(f"容量 {capacity} 盒")
    return LabelContent(kind=LabelKind.SHELF, code=code, extra_lines=tuple(extra))


# --- QR --------------------------------------------------------------------------------------
def qr_matrix(payload: str) -> list[list[bool]]:
    """The module matrix (True = dark) of ``payload``: error correction M, fixed mask, no border."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK)
    code.add_data(payload)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.modules]


def qr_operators(matrix: Sequence[Sequence[bool]]) -> str:
    """PDF path operators in module units: one rectangle per run of dark modules, then fill."""
    size = len(matrix)
    parts: list[str] = []
    for r, row in enumerate(matrix):
        y = size - 1 - r
        c = 0
        while c < size:
            if row[c]:
                start = c
                while c < size and row[c]:
                    c += 1
                parts.append(f"{start} {y} {c - start} 1 re")
            else:
                c += 1
    parts.append("f")
    return "\n".join(parts)


def draw_qr(
    canvas: Canvas, matrix: Sequence[Sequence[bool]], x: float, y: float, side: float
) -> None:
    """Draw ``matrix`` in the square of ``side`` points at (x, y), quiet zone included."""
    modules = len(matrix) + 2 * QR_QUIET
    unit = side / modules
    canvas.saveState()
    canvas.setFillGray(0)
    canvas.transform(unit, 0, 0, unit, x + QR_QUIET * unit, y + QR_QUIET * unit)
    canvas.addLiteral(qr_operators(matrix))
    canvas.restoreState()


# --- text layout -----------------------------------------------------------------------------
@dataclass
class _Line:
    text: str
    weight: float = 1.0
    max_pt: float = 10.0
    red: bool = False
    bold: bool = False
    boxed: bool = False
    grey: bool = False
    code: bool = False
    size: float = 0.0


def _width_1pt(text: str) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from app.printing.base import FONT

    return float(stringWidth(text, FONT, 1))


def _fit(lines: list[_Line], width: float, height: float) -> float:
    """Give every line its size (shrunk to the width and to the shared height); return height."""
    base = height / sum(line.weight * LEADING for line in lines)
    total = 0.0
    for line in lines:
        room = width - (2 * BOX_PAD + 1 if line.boxed else 0)
        by_width = room / max(_width_1pt(line.text), 0.01)
        line.size = max(0.0, min(line.max_pt, base * line.weight, by_width))
        total += _line_height(line)
    return total


def _line_height(line: _Line) -> float:
    return line.size * LEADING + (2 * BOX_PAD if line.boxed else 0.0)


def split_code(text: str, parts: int) -> list[str]:
    """``text`` broken after separators into at most ``parts`` lines of similar length."""
    if parts <= 1:
        return [text]
    cuts = [i + 1 for i, ch in enumerate(text[:-1]) if ch in CODE_BREAKS]
    if not cuts:
        return [text]
    pieces: list[str] = []
    start = 0
    for k in range(1, parts):
        target = len(text) * k / parts
        options = [c for c in cuts if c > start]
        if not options:
            break
        cut = min(options, key=lambda c: abs(c - target))
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return [p for p in pieces if p]


def _wrapped(text: str, width: float, readable_pt: float) -> list[str]:
    """``text`` in as few pieces (≤ 3, broken after spaces or separators) as keep it readable."""
    for parts in (1, 2, 3):
        pieces = split_code(text, parts)
        if max(_width_1pt(p) for p in pieces) * readable_pt <= width:
            return pieces
    return pieces


def _label_lines(
    label: LabelContent, code_parts: int, tall: bool, width: float = 0.0
) -> list[_Line]:
    """The lines of ``label`` top to bottom, with the code broken into ``code_parts`` lines.

    On a tall label (a spine strip) the location and the extra lines are broken too when they
    would be unreadably small on one line of ``width``.
    """

    def pieces(text: str) -> list[str]:
        return _wrapped(text, width, TALL_READABLE_PT) if tall and width > 0 else [text]

    big = 40.0 if tall else 16.0
    lines = [_Line(KIND_CAPTIONS[label.kind], 0.7, 12.0 if tall else 8.0, grey=True)]
    if label.secrecy_mark:  # R17: red, boxed, and as text
        lines.append(_Line(label.secrecy_mark, 1.4, big * 0.8, red=True, bold=True, boxed=True))
    for piece in split_code(label.readable_code, code_parts):
        lines.append(_Line(piece, 1.5, big, bold=True, code=True))
    details = []
    if label.year is not None:
        details.append(f"{label.year}年")
    if label.retention_label:
        details.append(label.retention_label)
    if details:
        if tall:
            lines.extend(_Line(text, 1.3, big) for text in details)
        else:
            lines.append(_Line("　".join(details), 1.0, 11.0))
    if label.location_code and label.kind != LabelKind.SHELF:
        for piece in pieces(f"位置 {label.location_code}"):
            lines.append(_Line(piece, 1.0, 16.0 if tall else 11.0))
    extra_pt = 14.0 if tall else 9.0
    for text in label.extra_lines[:MAX_EXTRA_LINES]:
        lines.extend(_Line(piece, 0.9, extra_pt) for piece in pieces(text))
    return lines


def _layout(label: LabelContent, width: float, height: float, tall: bool) -> list[_Line]:
    """The lines with sizes; the code is broken into 1–3 lines when that makes it larger."""
    best: list[_Line] | None = None
    best_size = 0.0
    for parts in (1, 2, 3):
        lines = _label_lines(label, parts, tall, width)
        pieces = [line.text for line in lines if line.code]
        if parts > 1 and (len(pieces) < parts or min(map(len, pieces)) < MIN_CODE_PIECE):
            break  # no more break points, or a stub like "H-" on a line of its own
        _fit(lines, width, height)
        size = min(line.size for line in lines if line.code)
        for line in lines:
            if line.code:
                line.size = size  # the pieces of one code in one size
        if best is None or size > best_size * 1.15:
            best, best_size = lines, size
    assert best is not None
    return best


def _draw_lines(
    canvas: Canvas, lines: list[_Line], x: float, top: float, width: float, centred: bool
) -> None:
    from reportlab.lib.colors import Color

    from app.printing.base import FONT
    from app.printing.page import SECRECY_RED, draw_bold

    y = top
    for line in lines:
        box_pad = BOX_PAD if line.boxed else 0.0
        y -= line.size + box_pad
        text_w = _width_1pt(line.text) * line.size
        left = x + (width - text_w) / 2 if centred else x + box_pad + (0.5 if line.boxed else 0)
        colour = SECRECY_RED if line.red else Color(0, 0, 0)
        if line.boxed:
            canvas.saveState()
            canvas.setStrokeColor(colour)
            canvas.setLineWidth(0.8)
            canvas.rect(
                left - box_pad,
                y - line.size * 0.22 - box_pad * 0.6,
                text_w + 2 * box_pad,
                line.size * 1.1 + box_pad * 1.2,
                stroke=1,
                fill=0,
            )
            canvas.restoreState()
        if line.bold:
            draw_bold(canvas, left, y, line.text, line.size, colour)
        else:
            canvas.setFillGray(0.35 if line.grey else 0)
            canvas.setFont(FONT, line.size)
            canvas.drawString(left, y, line.text)
        y -= line.size * (LEADING - 1.0) + box_pad
    canvas.setFillGray(0)


def draw_label(
    canvas: Canvas,
    label: LabelContent,
    matrix: Sequence[Sequence[bool]],
    x: float,
    y: float,
    width: float,
    height: float,
) -> None:
    """Draw one label in the rectangle (x, y, width, height) in points (y = bottom edge)."""
    pad = min(2.5 * MM, 0.08 * min(width, height))
    tall = height > 1.4 * width
    if tall:  # spine strip: text from the top, centred; the QR at the bottom
        side = min(width - 2 * pad, height * 0.3, 40 * MM)
        draw_qr(canvas, matrix, x + (width - side) / 2, y + pad, side)
        text_top = y + height - pad
        text_h = height - 3 * pad - side
        lines = _layout(label, width - 2 * pad, text_h, tall=True)
        _draw_lines(canvas, lines, x + pad, text_top, width - 2 * pad, centred=True)
        return
    side = min(height - 2 * pad, width * 0.38, 40 * MM)
    draw_qr(canvas, matrix, x + pad * 0.6, y + (height - side) / 2, side)
    text_x = x + pad * 0.6 + side + pad * 0.6
    text_w = x + width - pad - text_x
    lines = _layout(label, text_w, height - 2 * pad, tall=False)
    used = sum(_line_height(line) for line in lines)
    top = y + height - pad - max(0.0, (height - 2 * pad - used) / 2)
    _draw_lines(canvas, lines, text_x, top, text_w, centred=False)


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
        if _width_1pt(tag) * number_pt > w - RULER_CLEAR * MM:
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
        size = min(size, avail / max(_width_1pt(text), 0.01))
    size = max(size, 3.0)
    title_pt = min(16.0, size * 1.8)
    leading = size * 1.45
    box_w = max(_width_1pt(t) * size for t in [stock.name, stock.description, *lines]) + 6 * MM
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
