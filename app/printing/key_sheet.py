"""One-page A4 key sheets (recovery key, audit verification key), drawn from the top down.

Both sheets have the same parts in the same order: a title with a handling warning, the facts of
the database as ``label：value`` rows, the key in large monospace letters inside a box, notes on
its use, a line for signatures and the usual footer. :class:`KeySheetDrawing` draws each part and
moves down the page; the sheet modules say only what goes in each part and how far apart.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from reportlab.lib.units import mm

from app.printing.base import FONT, MARGIN, PAGE_H, PAGE_W, new_canvas
from app.printing.page import PageSetup, paint_footer

KEY_FONT = "Courier-Bold"


class KeySheetDrawing:
    """A key sheet being drawn; ``y`` is where the next part starts (points from the bottom)."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._buffer = io.BytesIO()
        self.canvas = new_canvas(self._buffer, title)
        self.y = PAGE_H - MARGIN - 10 * mm

    def skip(self, height: float) -> None:
        """Leave ``height`` points blank."""
        self.y -= height

    def heading(self, warning: str, *, gap: float) -> None:
        """The title and, under it, how the sheet must be kept; then ``gap`` points."""
        self.canvas.setFont(FONT, 20)
        self.canvas.drawCentredString(PAGE_W / 2, self.y, self.title)
        self.y -= 9 * mm
        self.canvas.setFont(FONT, 11)
        self.canvas.drawCentredString(PAGE_W / 2, self.y, warning)
        self.y -= gap

    def facts(self, rows: Sequence[tuple[str, str]], *, value_at: float, width: int) -> None:
        """``label：value`` lines; values start ``value_at`` from the margin, cut at ``width``."""
        for label, value in rows:
            self.canvas.setFont(FONT, 11)
            self.canvas.drawString(MARGIN, self.y, f"{label}：")
            self.canvas.drawString(MARGIN + value_at, self.y, value[:width])
            self.y -= 7.5 * mm

    def key_box(
        self, caption: str, lines: Sequence[tuple[float, float, str]], *, height: float
    ) -> None:
        """The caption, then a box of ``height`` with centred key lines.

        Each line is ``(font size, distance below the box top, text)``.
        """
        self.canvas.setFont(FONT, 12)
        self.canvas.drawString(MARGIN, self.y, caption)
        self.y -= 6 * mm
        self.canvas.setLineWidth(1.2)
        self.canvas.rect(MARGIN, self.y - height, PAGE_W - 2 * MARGIN, height)
        for size, below, line in lines:
            self.canvas.setFont(KEY_FONT, size)
            self.canvas.drawCentredString(PAGE_W / 2, self.y - below, line)
        self.y -= height

    def notes(self, notes: Sequence[str], *, step: float) -> None:
        """Lines of small print, ``step`` points apart."""
        self.canvas.setFont(FONT, 10.5)
        for note in notes:
            self.canvas.drawString(MARGIN, self.y, note)
            self.y -= step

    def signatures(self, line: str) -> None:
        """The line where the holder and a witness sign."""
        self.canvas.setFont(FONT, 11)
        self.canvas.drawString(MARGIN, self.y, line)

    def finish(self, *, organisation: str, printed_by: str, printed_at: datetime) -> bytes:
        """Paint the footer, close the page and return the PDF bytes."""
        footer = PageSetup(
            organisation=organisation,
            title=self.title,
            printed_by=printed_by,
            printed_by_username="",
            printed_at=printed_at,
        )
        paint_footer(self.canvas, footer, 1, 1)
        self.canvas.showPage()
        self.canvas.save()
        return self._buffer.getvalue()
