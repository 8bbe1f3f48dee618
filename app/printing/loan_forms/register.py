"""The registers (借阅登记簿, 复制摘抄登记簿): A4 landscape, every column, drawn page by page.

Rows are laid out once: each cell is broken into lines that fit its column (``wrap_lines``),
rows are measured from their line counts and cut into pages here, and every page is drawn as
one grid with its heading row. That keeps a register of thousands of entries linear (no table
split at every page break) and leaves the signature columns room for a pen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from app.printing.loan_forms.data import (
    CELL_LEADING,
    CELL_PAD,
    CELL_SIZE,
    COPY_COLUMNS,
    COPY_MM,
    COPY_REGISTER_TITLE,
    IDENTIFIER_COLUMNS,
    REGISTER_COLUMNS,
    REGISTER_MM,
    ROW_MIN_MM,
    RegisterSheet,
)

_CODE_BREAKS = re.compile(r"[\n、，,；;]+|\s{2,}")


# --- rendering (ReportLab loads here) --------------------------------------------------------
def _measure(char: str) -> float:
    from app.printing.base import char_width

    return char_width(char, CELL_SIZE)


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
            self,
            widths: list[float],
            rows: list[list[list[str]]],
            heights: list[float],
            whole: frozenset[int] = frozenset(),
        ) -> None:
            super().__init__()
            self.widths, self.rows, self.heights = widths, rows, heights
            self.whole = whole  # identifier columns: each line shrunk to fit, never broken
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
                        if r and col in self.whole:
                            room = self.widths[col] - 2 * CELL_PAD - 0.3
                            wide = stringWidth(line, FONT, CELL_SIZE)
                            if wide > room:  # the whole code in a smaller size
                                text.setFont(FONT, CELL_SIZE * room / wide, CELL_LEADING)
                                text.textOut(line)
                                text.setFont(FONT, CELL_SIZE, CELL_LEADING)
                                continue
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

    page_class = _register_page_class()
    widths = [w * mm for w in widths_mm]
    room = [w - 2 * CELL_PAD - 0.3 for w in widths]
    whole = frozenset(n for n, c in enumerate(columns) if c in IDENTIFIER_COLUMNS)

    def cell(text: str, column: int, *, heading: bool = False) -> list[str]:
        if not text:
            return []
        if column in whole and not heading:  # one code per line, never broken inside a code
            return [p.strip() for p in _CODE_BREAKS.split(text) if p.strip()]
        if "\n" not in text and len(text) * CELL_SIZE <= room[column]:
            return [text]
        return wrap_lines(text, room[column], _measure)

    def row_height(cells: list[list[str]], minimum: float) -> float:
        lines = max((len(c) for c in cells), default=1) or 1
        return max(lines * CELL_LEADING + 2 * CELL_PAD + 2, minimum)

    heading = [cell(c, n, heading=True) for n, c in enumerate(columns)]
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
        story.append(page_class(widths, [heading, *page], [heading_h, *heights], whole))

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
    setup = PageSetup.of(sheet, sheet.title, sheet.secrecy_mark, landscape=True)
    scope = Paragraph(f"登记范围：{sheet.scope}　共 {len(sheet.rows)} 条", _styles()["value"])
    return render_document(setup, _register_table(sheet, columns, widths), page_block=scope)
