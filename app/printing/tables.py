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
