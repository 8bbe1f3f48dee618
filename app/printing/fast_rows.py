"""A ruled table of plain text rows for long registers: headings on every page, cheap to split.

ReportLab's ``Table`` measures and splits cell by cell, which costs seconds for thousands of
rows; a 销毁清册 of 5,000 volumes needs less. :class:`FastRows` takes the cells already broken
into lines (``location_forms.fit_cell``), knows each row's height up front, splits at the last
row that fits (the headings repeated at the top of each part) and draws a page with one text
object and one path of rules.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from reportlab.platypus import Flowable

from app.printing.base import FONT

PAD_X = 3.0
PAD_TOP = 2.5
PAD_BOTTOM = 3.5
HEADER_GREY = 0.91


class FastRows(Flowable):  # type: ignore[misc]  # ReportLab has no type hints
    """Rows of pre-broken cell texts under repeated headings, ruled like ``tables.table_style``."""

    def __init__(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        size: float = 9.0,
        leading: float = 11.5,
        centred: Sequence[int] = (),
        colours: dict[tuple[int, int], str] | None = None,
        _heights: list[float] | None = None,
        _span: tuple[int, int] | None = None,
    ) -> None:
        super().__init__()
        self.headings = list(headings)
        self.all_rows = rows  # shared by the parts of a split: (first, end) is this part
        self.widths = list(widths)
        self.size, self.leading = size, leading
        self.centred = set(centred)
        self.colours = colours or {}  # (row index in all_rows, column) → colour
        self.head_h = self._height(self.headings)
        self.all_heights = _heights if _heights is not None else [self._height(r) for r in rows]
        self.first, self.end = _span if _span is not None else (0, len(rows))

    @property
    def rows(self) -> Sequence[Sequence[str]]:
        """This part's rows."""
        return self.all_rows[self.first : self.end]

    @property
    def heights(self) -> list[float]:
        """This part's row heights."""
        return self.all_heights[self.first : self.end]

    def _height(self, cells: Sequence[str]) -> float:
        lines = max((c.count("\n") + 1 for c in cells), default=1)
        return lines * self.leading + PAD_TOP + PAD_BOTTOM

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """The whole width and height (ReportLab asks before drawing or splitting)."""
        self.width = sum(self.widths)
        self.height = self.head_h + sum(self.heights)
        return self.width, self.height

    def _part(self, first: int, end: int) -> FastRows:
        return FastRows(
            self.headings,
            self.all_rows,
            self.widths,
            size=self.size,
            leading=self.leading,
            centred=sorted(self.centred),
            colours=self.colours,
            _heights=self.all_heights,
            _span=(first, end),
        )

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        """The rows that fit in ``avail_height`` (with headings), then the rest."""
        used = self.head_h
        n = self.first
        while n < self.end and used + self.all_heights[n] <= avail_height:
            used += self.all_heights[n]
            n += 1
        if n == self.first:
            return []
        return [self._part(self.first, n), self._part(n, self.end)]

    def draw(self) -> None:
        """Headings on grey, every row ruled, texts in one text object.

        Positions and rules are written as PDF operators directly (``%.2f``): ReportLab's own
        number formatting is pure Python here and would dominate a long register.
        """
        canvas = self.canv
        width = sum(self.widths)
        heights = self.heights
        top = self.head_h + sum(heights)
        lefts = [sum(self.widths[:i]) for i in range(len(self.widths))]
        canvas.saveState()
        canvas.setFillGray(HEADER_GREY)
        canvas.rect(0, top - self.head_h, width, self.head_h, stroke=0, fill=1)
        canvas.setFillGray(0)
        canvas.setLineWidth(0.5)
        y = top
        bounds = [top]
        for h in [self.head_h, *heights]:
            y -= h
            bounds.append(y)
        ops = [f"0 {yy:.2f} m {width:.2f} {yy:.2f} l" for yy in bounds]
        ops += [f"{x:.2f} {top:.2f} m {x:.2f} {bounds[-1]:.2f} l" for x in [*lefts, width]]
        canvas._code.append(" ".join(ops) + " S")
        text = canvas.beginText()
        text.setFont(FONT, self.size, self.leading)
        code = text._code
        for r, (cells, y_top) in enumerate(
            zip([self.headings, *self.rows], bounds, strict=False), start=self.first - 1
        ):
            heading = r == self.first - 1
            base = y_top - PAD_TOP - self.size
            for c, cell in enumerate(cells):
                colour = None if heading else self.colours.get((r, c))
                if colour:
                    text.setFillColor(colour)
                centred = heading or c in self.centred
                room = self.widths[c] - 2 * PAD_X
                for k, line in enumerate(cell.split("\n")):
                    x = lefts[c] + PAD_X
                    if centred:
                        x += max(0.0, (room - _width(line, self.size)) / 2)
                    code.append(f"1 0 0 1 {x:.2f} {base - k * self.leading:.2f} Tm")
                    text.textOut(line)
                if colour:
                    text.setFillGray(0)
        canvas.drawText(text)
        canvas.restoreState()


@functools.lru_cache(maxsize=4096)
def _width(line: str, size: float) -> float:
    """Width of a line in the form font (registers repeat the same short texts)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(line, FONT, size))
