"""Drawing one label (R24, R17): the QR code as vector rectangles and the readable text.

The QR code is drawn from the ``qrcode`` library's module matrix (see ``app.printing.labels``
for why); the text (code with its check character, year, retention, secrecy mark in red and
boxed, location) is sized to fit the label. ReportLab is imported only when drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.printing.label_content import (
    KIND_CAPTIONS,
    MAX_EXTRA_LINES,
    LabelContent,
    LabelKind,
)

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas


MM = 72 / 25.4
QR_MASK = 0  # fixed mask pattern
QR_QUIET = 2  # modules of white around the symbol inside the label (plus the label's padding)
MIN_TEXT_PT = 4.5
CODE_BREAKS = "-·./_ "  # a long code may be broken after these on narrow labels
LEADING = 1.22
TALL_READABLE_PT = 7.0  # smallest size worth keeping a line whole on a spine strip
MIN_CODE_PIECE = 4  # characters: a broken code never leaves a stub on a line
BOX_PAD = 1.5  # points between a boxed secrecy mark and its frame


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


def width_1pt(text: str) -> float:
    """Width of ``text`` in the label font at 1 pt."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from app.printing.base import FONT

    return float(stringWidth(text, FONT, 1))


def _fit(lines: list[_Line], width: float, height: float) -> float:
    """Give every line its size (shrunk to the width and to the shared height); return height."""
    base = height / sum(line.weight * LEADING for line in lines)
    total = 0.0
    for line in lines:
        room = width - (2 * BOX_PAD + 1 if line.boxed else 0)
        by_width = room / max(width_1pt(line.text), 0.01)
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
        if max(width_1pt(p) for p in pieces) * readable_pt <= width:
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
        text_w = width_1pt(line.text) * line.size
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
