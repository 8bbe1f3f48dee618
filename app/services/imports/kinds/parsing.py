"""Shared row checking: reading one mapped cell as text, a date, a number or a choice.

Each reader appends what it could not read to the row's ``errors`` (a :class:`FieldError`
named after the field) and returns None (or the default), so a kind reads every cell of a row
and reports all of its problems at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from app.errors import FieldError
from app.imports import cells
from app.services.imports.kinds.base import ParsedRow


def fold_table(pairs: dict[str, Sequence[str]]) -> dict[str, str]:
    """A lookup from every (folded) word to its value: ``{value: (word, ...)}`` turned around."""
    return {cells.folded(word): value for value, words in pairs.items() for word in words}


def _expected(table: dict[str, str]) -> str:
    return "、".join(dict.fromkeys(k for k in table if not k.isascii()))


def cell_choice(
    row: ParsedRow,
    key: str,
    table: dict[str, str],
    errors: list[FieldError],
    default: str | None = None,
) -> str | None:
    """The value of a choice cell (a word of ``table``); empty: ``default``."""
    raw = row.values.get(key)
    text = cells.folded(raw)
    if not text:
        return default
    found = table.get(text)
    if found is None:
        errors.append(
            FieldError(key, "choice", {"value": cells.text(raw)[:20], "expected": _expected(table)})
        )
        return default
    return found


def pick_choice(
    texts: dict[str, str],
    key: str,
    table: dict[str, str],
    errors: list[FieldError],
    default: str | None = None,
) -> str | None:
    """:func:`cell_choice` over texts already normalized (a row's cells read once)."""
    text = texts.get(key, "")
    found = table.get("".join(text.split()).casefold()) if text else None
    if found is None and text:
        errors.append(FieldError(key, "choice", {"value": text[:20], "expected": _expected(table)}))
    return found or default


def cell_date(row: ParsedRow, key: str, errors: list[FieldError]) -> date | None:
    """A date cell (Excel serial, ``2020-01-02``, ``2020年1月2日`` …)."""
    found, error = cells.as_date(row.values.get(key))
    if error:
        errors.append(FieldError(key, error))
    return found


def cell_int(
    row: ParsedRow, key: str, errors: list[FieldError], *, year: bool = False
) -> int | None:
    """A whole-number cell (``year``: a four-digit year)."""
    found, error = (cells.as_year if year else cells.as_int)(row.values.get(key))
    if error:
        errors.append(FieldError(key, error))
    return found


def cell_text(row: ParsedRow, key: str) -> str:
    """A cell as text ("" when the column is not mapped or the cell is empty)."""
    return cells.text(row.values.get(key))


def split_numbers(text: str) -> list[str]:
    """Several numbers in one cell (``138…/139…``, ``138…、0571-…``)."""
    if text.isdigit():  # one plain number (most cells): no separator, nothing to trim
        return [text]
    for sep in ("/", "、", ";", "；", ",", "，"):
        text = text.replace(sep, "\n")
    return [p.strip() for p in text.split("\n") if p.strip()]
