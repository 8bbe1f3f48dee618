"""Any list as a PDF (R17, R40): a table on A4 pages with the standard header and footer.

The page header carries the secrecy marking, the footer printed-by and time; the first lines
say what was exported, for what purpose, and whether personal values are masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from app.printing.page import FRAME_W, PageSetup, render_document


@dataclass(frozen=True)
class ListDocument:
    """A list to print: title, marking, the lines above the table, columns and rows."""

    organisation: str
    title: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime
    marking: str  # 机密★20年 / 内部 · 含个人信息（已脱敏）…: top right of every page
    notes: tuple[str, ...]  # 用途, 范围, masked or not
    headers: tuple[str, ...]
    widths: tuple[float, ...]  # relative column widths
    rows: Sequence[Sequence[object]]


def render_list(doc: ListDocument) -> bytes:
    """The PDF of ``doc`` (table header repeated on every page)."""
    from reportlab.lib.colors import Color
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from app.printing.base import cjk_style, register_fonts

    register_fonts()  # before any paragraph is measured
    note = cjk_style("note", 9, 13)
    cell = cjk_style("cell", 8, 10)
    head = ParagraphStyle("head", parent=cell, fontSize=8.5)
    total = sum(doc.widths) or 1.0
    widths = [FRAME_W * w / total for w in doc.widths]
    data = [[Paragraph(escape(h), head) for h in doc.headers]]  # one face: no <b>
    data += [[Paragraph(escape(str(v)), cell) for v in row] for row in doc.rows]
    table = Table(data, colWidths=widths, repeatRows=1)
    grid = Color(0.55, 0.55, 0.55)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, grid),
                ("BACKGROUND", (0, 0), (-1, 0), Color(0.92, 0.92, 0.92)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story = [Paragraph(escape(line), note) for line in doc.notes]
    story += [Spacer(1, 6), table]
    setup = PageSetup.of(doc, doc.title, doc.marking)
    return render_document(setup, story)
