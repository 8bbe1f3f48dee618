"""Cell values as people type them into ledgers: full-width digits, dates as text or serials.

Every function takes any cell value and never raises; a value it cannot read comes back as an
error reason for the caller's :class:`~app.errors.FieldError`.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from app.domain import identity
from app.imports.source import Cell

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)
MAX_SERIAL = 2_958_465  # 9999-12-31
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_YEAR = re.compile(r"^(\d{4})\s*年?(?:度)?$")


def text(value: Cell) -> str:
    """The cell as text: normalized (full-width to half-width, any digits to ASCII), trimmed.

    Numbers Excel stored as numbers (an ID typed without a leading quote) come back without a
    trailing ``.0``.
    """
    if value is None:
        return ""
    if type(value) is str:
        return identity.normalize(value) if value else ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    return identity.normalize(str(value))


def serial_date(number: float) -> date | None:
    """An Excel serial day number (1900 date system) as a date, or None out of range."""
    if not 1 <= number <= MAX_SERIAL:
        return None
    return EXCEL_EPOCH + timedelta(days=int(number))


def as_date(value: Cell) -> tuple[date | None, str | None]:
    """``(date, None)``, ``(None, None)`` for an empty cell, or ``(None, "date_format")``."""
    if value is None:
        return None, None
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, int | float) and not isinstance(value, bool):
        found = serial_date(float(value)) if value == value else None
        return (found, None) if found else (None, "date_format")
    raw = text(value)
    if not raw:
        return None, None
    compact = raw.replace(" ", "")
    for pattern in (_DATE_TEXT, _DATE_COMPACT):
        m = pattern.match(compact)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3))), None
            except ValueError:
                return None, "date_format"
    if compact.isdigit() and len(compact) <= 7:  # a serial that came through CSV as text
        found = serial_date(int(compact))
        if found:
            return found, None
    return None, "date_format"


def as_int(value: Cell) -> tuple[int | None, str | None]:
    """An integer (``2020``, ``２０２０``, ``2020年``, ``2020.0``), None when empty, or an error."""
    if value is None:
        return None, None
    if isinstance(value, float):
        if value != value or not value.is_integer() or abs(value) > 1e15:
            return None, "number_format"
        return int(value), None
    if isinstance(value, int):
        return value, None
    if isinstance(value, datetime):
        return None, "number_format"
    raw = text(value).replace(" ", "")
    if not raw:
        return None, None
    m = _YEAR.match(raw)
    if m:
        return int(m.group(1)), None
    raw = raw.removesuffix("页").removesuffix("年")
    if identity.is_digits(raw) and len(raw) <= 9:
        return int(raw), None
    return None, "number_format"


def as_year(value: Cell) -> tuple[int | None, str | None]:
    """A year; a full date in the cell gives its year."""
    if isinstance(value, datetime):
        return value.year, None
    number, error = as_int(value)
    if error is None:
        return number, None
    found, date_error = as_date(value)
    if found is not None and date_error is None:
        return found.year, None
    return None, "number_format"


def folded(value: Cell) -> str:
    """Text for comparing choices: normalized, no spaces, case-folded."""
    return "".join(text(value).split()).casefold()
