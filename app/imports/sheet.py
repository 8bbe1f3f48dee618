"""What a read sheet is: its rows (merged ranges filled), its merges, what the file declared.

Shared by the readers (``xlsx``, ``text``) and everything that looks at the rows (``layout``,
``footers``). Values are ``str``, ``int``, ``float``, ``datetime`` or ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

Cell = str | int | float | datetime | None
Row = tuple[Cell, ...]


@dataclass(frozen=True)
class ImportLimits:
    """What a file may cost before it is refused (checked before and while loading)."""

    max_file_bytes: int = 200 * 1024 * 1024
    max_uncompressed_bytes: int = 1024 * 1024 * 1024  # all members of an .xlsx together
    max_ratio: int = 200  # uncompressed / compressed of one member (zip bombs reach 1000+)
    max_rows: int = 200_000
    max_columns: int = 200


DEFAULT_LIMITS = ImportLimits()


@dataclass(frozen=True)
class Merge:
    """A merged range, 1-based and inclusive."""

    min_row: int
    min_col: int
    max_row: int
    max_col: int


@dataclass
class Sheet:
    """One sheet's rows (merged ranges filled) and where merges were.

    ``declared`` is the size the file claims (an .xlsx ``<dimension>``: last row, last column)
    or None; the rows are always the ones really there (a wrong claim is only reported,
    :func:`size_mismatch`). ``encoding`` is the text encoding a CSV file was read with, and
    ``encoding_detected`` whether it was detected rather than chosen.
    """

    name: str
    rows: list[Row]
    merges: list[Merge]
    first_row: int = 1  # sheet row number of ``rows[0]``
    declared: tuple[int, int] | None = None
    encoding: str | None = None
    encoding_detected: bool = True
    reader: str = ""  # which library read it (calamine, openpyxl, csv)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def extent(self) -> tuple[int, int]:
        """The last row and column that hold anything."""
        width = max((last_filled(r) for r in self.rows), default=0)
        return self.first_row - 1 + len(self.rows), width


def size_mismatch(sheet: Sheet) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(declared, real) when the declared last row or column is before the real one."""
    if sheet.declared is None or not sheet.rows:
        return None
    real = sheet.extent
    if real[0] > sheet.declared[0] or real[1] > sheet.declared[1]:
        return sheet.declared, real
    return None


def plain(value: Any) -> Cell:
    """A reader's value as a :data:`Cell` (booleans as 0/1, dates as datetimes, rest as text)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)  # calamine gives every number as a float; openpyxl ints as ints
    if isinstance(value, str | int | float | datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, time | timedelta):
        return str(value)
    return str(value)


class MergeFiller:
    """Gives every cell of a merged range the value of its top-left cell, while rows stream."""

    def __init__(self, merges: list[Merge]) -> None:
        self._starting: dict[int, list[Merge]] = {}
        for m in merges:
            self._starting.setdefault(m.min_row, []).append(m)
        self._active: list[tuple[Merge, Cell]] = []

    def apply(self, number: int, row: Row) -> Row:
        """``row`` (sheet row ``number``) with the merged ranges it crosses filled."""
        if not self._starting and not self._active:
            return row
        cells = list(row)
        for m in self._starting.pop(number, []):
            value = cells[m.min_col - 1] if m.min_col - 1 < len(cells) else None
            self._active.append((m, value))
        self._active = [(m, v) for m, v in self._active if m.max_row >= number]
        for m, value in self._active:
            if len(cells) < m.max_col:
                cells.extend([None] * (m.max_col - len(cells)))
            for col in range(m.min_col, m.max_col + 1):
                cells[col - 1] = value
        return tuple(cells)


def trim(rows: list[Row]) -> list[Row]:
    """Drop empty cells at the end of rows and empty rows at the end of the sheet."""
    out = [row[: last_filled(row)] for row in rows]
    while out and not out[-1]:
        out.pop()
    return out


def last_filled(row: Row) -> int:
    """1 + the index of the row's last non-blank cell (0 for a blank row)."""
    for i in range(len(row) - 1, -1, -1):
        v = row[i]
        if v is not None and not (isinstance(v, str) and not v.strip()):
            return i + 1
    return 0
