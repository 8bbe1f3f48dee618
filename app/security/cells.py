"""Spreadsheet cells that stay data: no live formulas, no characters that break the file.

Every Excel export writes its cells through :func:`safe_cell` (or :func:`safe_row`). A text
starting with ``=``, ``+``, ``-`` or ``@`` would be read by Excel as a formula (a purpose or
title such as ``=HYPERLINK(…)`` typed by one user would run on another's machine), so it gets
a leading ``'``; control characters, which the xlsx format cannot hold and which made an export
fail, are removed (tab, line feed and carriage return are kept).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def safe_text(text: str) -> str:
    """``text`` without control characters, with ``'`` before a formula-like start."""
    cleaned = _CONTROL.sub("", text)
    if cleaned.lstrip().startswith(FORMULA_STARTS):
        return "'" + cleaned
    return cleaned


def safe_cell(value: object) -> object:
    """The value to hand to the workbook: numbers, dates and None as they are, text escaped."""
    if value is None or isinstance(value, bool | int | float | Decimal | datetime | date | time):
        return value
    return safe_text(value if isinstance(value, str) else str(value))


def safe_row(values: Iterable[object]) -> list[object]:
    """:func:`safe_cell` of every value of a row."""
    return [safe_cell(v) for v in values]
