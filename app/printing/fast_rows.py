"""A ruled table of plain text rows for long registers: headings on every page, cheap to split.

ReportLab's ``Table`` measures and splits cell by cell, which costs seconds for thousands of
rows; a 销毁清册 of 5,000 volumes needs less. :class:`FastRows` takes the cells already broken
into lines (``location_forms.fit_cell``), knows each row's height up front, splits at the last
row that fits (the headings repeated at the top of each part) and draws a page with one text
object and one path of rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
    ) -> None:
        super().__init__()
        self.headings = list(headings)
        self.rows = [list(r) for r in rows]
        self.widths = list(widths)
        self.size, self.leading = size, leading
        self.centred = set(centred)
        self.colours = colours or {}
        self.head_h = self._height(self.headings)
        self.heights = [self._height(r) for r in self.rows]

    def _height(self, cells: Sequence[str]) -> float:
        lines = max((c.count("\n") + 1 for c in cells), default=1)
        return lines * self.leading + PAD_TOP + PAD_BOTTOM

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """The whole width and height (ReportLab asks before drawing or splitting)."""
        self.width = sum(self.widths)
        self.height = self.head_h + sum(self.heights)
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        """The rows that fit in ``avail_height`` (with headings), then the rest."""
        used = self.head_h
        n = 0
        while n < len(self.rows) and used + self.heights[n] <= avail_height:
            used += self.heights[n]
            n += 1
        if n == 0:
            return []
        colours_first = {k: v for k, v in self.colours.items() if k[0] < n}
        colours_rest = {(r - n, c): v for (r, c), v in self.colours.items() if r >= n}
        kwargs: dict[str, Any] = {
            "size": self.size,
            "leading": self.leading,
            "centred": sorted(self.centred),
        }
        first = FastRows(self.headings, self.rows[:n], self.widths, colours=colours_first, **kwargs)
        rest = FastRows(self.headings, self.rows[n:], self.widths, colours=colours_rest, **kwargs)
        return [first, rest]

    def draw(self) -> None:
        """Headings on grey, every row ruled, texts in one text object."""
        canvas = self.canv
        width = sum(self.widths)
        top = self.head_h + sum(self.heights)
        lefts = [sum(self.widths[:i]) for i in range(len(self.widths))]
        canvas.saveState()
        canvas.setFillGray(HEADER_GREY)
        canvas.rect(0, top - self.head_h, width, self.head_h, stroke=0, fill=1)
        canvas.setFillGray(0)
        canvas.setLineWidth(0.5)
        path = canvas.beginPath()
        y = top
        bounds = [top]
        for h in [self.head_h, *self.heights]:
            y -= h
            bounds.append(y)
        for yy in bounds:
            path.moveTo(0, yy)
            path.lineTo(width, yy)
        for x in [*lefts, width]:
            path.moveTo(x, top)
            path.lineTo(x, bounds[-1])
        canvas.drawPath(path, stroke=1, fill=0)
        text = canvas.beginText()
        text.setFont(FONT, self.size, self.leading)
        for r, (cells, y_top) in enumerate(
            zip([self.headings, *self.rows], bounds, strict=False), start=-1
        ):
            for c, cell in enumerate(cells):
                colour = self.colours.get((r, c))
                if colour:
                    text.setFillColor(colour)
                for k, line in enumerate(cell.split("\n")):
                    x = lefts[c] + PAD_X
                    if r == -1 or c in self.centred:
                        room = self.widths[c] - 2 * PAD_X
                        x += max(0.0, (room - canvas.stringWidth(line, FONT, self.size)) / 2)
                    text.setTextOrigin(x, y_top - PAD_TOP - self.size - k * self.leading)
                    text.textOut(line)
                if colour:
                    text.setFillGray(0)
        canvas.drawText(text)
        canvas.restoreState()
