"""The grid tables of the A4 forms (卷内目录, 排架清单, 交接清单): cell font, padding, style."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

CELL_PAD = 3.0  # points left and right inside a table cell
CELL_SIZE = 9.0  # font size of the table's cells
CELL_LEADING = 11.5


def table_style(extra: Sequence[tuple[Any, ...]]) -> Any:
    """The grid style of the storage forms' tables, plus ``extra`` commands."""
    from reportlab.platypus import TableStyle

    from app.printing.base import FONT

    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, CELL_SIZE, CELL_LEADING),
            ("FONT", (0, 0), (-1, 0), FONT, 9.5, CELL_LEADING),
            ("BACKGROUND", (0, 0), (-1, 0), "#e8e8e8"),
            ("GRID", (0, 0), (-1, -1), 0.5, "black"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            *extra,
        ]
    )


def signature_table(
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[float],
    *,
    row_mm: float = 12,
    signed_rows: int | None = None,
) -> Any:
    """The 签字 block: rows of ``who：``, name, ``签字：``, a line, ``日期：``, a date or a line.

    The name, signature and date cells are underlined (a missing name is written in); with
    ``signed_rows`` only the first that many rows get signature and date lines.
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import Table

    from app.printing.base import FONT

    last = -1 if signed_rows is None else signed_rows - 1
    table = Table(
        [list(r) for r in rows],
        colWidths=[w * mm for w in widths_mm],
        rowHeights=[row_mm * mm] * len(rows),
    )
    table.setStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 11),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("ALIGN", (0, 0), (0, -1), "RIGHT"),
            ("ALIGN", (2, 0), (2, -1), "RIGHT"),
            ("ALIGN", (4, 0), (4, -1), "RIGHT"),
            ("LINEBELOW", (1, 0), (1, -1), 0.5, "black"),
            ("LINEBELOW", (3, 0), (3, last), 0.5, "black"),
            ("LINEBELOW", (5, 0), (5, last), 0.5, "black"),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
    )
    return table
