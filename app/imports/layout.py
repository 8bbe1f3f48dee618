"""Where a ledger's header is, and which column holds what: guesses from common Chinese headers.

Ledgers often start with a title row (merged across the table: "2023年客户台账") and sometimes
have a two-level header ("联系方式" merged over "手机" and "固定电话"). After merged ranges
are filled (``source``), the header is the row among the first ones that names most known
fields; the row above joins it when a merged range spans both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from app.imports import cells
from app.imports.source import Sheet

HEADER_SCAN_ROWS = 30
_NOISE = str.maketrans("", "", "*＊:：()（）[]【】 \t\n\r_")


@dataclass(frozen=True)
class FieldSpec:
    """A field an import target takes, and the headers ledgers use for it.

    ``imported`` False: a column recognised (so it is not guessed as something else) whose
    values are not imported yet, such as 存放位置 before the storage module exists.
    """

    key: str
    label: str
    aliases: tuple[str, ...]
    required: bool = False
    imported: bool = True


@dataclass(frozen=True)
class Header:
    """The header found in a sheet: its row indexes, where data starts, the column names."""

    rows: tuple[int, ...]  # indexes into ``Sheet.rows``
    data_start: int  # index of the first data row
    names: tuple[str, ...]

    def signature(self) -> str:
        """A stable key of the header set (a remembered mapping belongs to it)."""
        text = json.dumps([header_key(n) for n in self.names], ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:24]


def header_key(name: str) -> str:
    """A header for comparison: normalized, without spaces, brackets, stars and 必填 notes."""
    key = cells.folded(name).translate(_NOISE)
    for note in ("必填", "选填", "可选"):
        key = key.replace(note, "")
    return key


def _score(row: Sequence[object], fields: Sequence[FieldSpec]) -> int:
    names = [header_key(cells.text(v)) for v in row]  # type: ignore[arg-type]
    distinct = {n for n in names if n}
    if len(distinct) < 2:  # a title row (one merged value) or a lone note
        return 0
    if sum(1 for v in row if isinstance(v, int | float)) > len(distinct) // 2:
        return 0  # mostly numbers: data, not a header
    return len(_match(list(dict.fromkeys(names)), fields))


def detect_header(sheet: Sheet, fields: Sequence[FieldSpec]) -> Header:
    """The most likely header of ``sheet`` for these fields (the first filled row if none)."""
    best, best_score = None, 0
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        score = _score(row, fields)
        if score > best_score:
            best, best_score = index, score
    if best is None:
        best = next(
            (i for i, r in enumerate(sheet.rows) if sum(1 for v in r if cells.text(v)) >= 2), 0
        )
    return header_at(sheet, best)


def header_at(sheet: Sheet, index: int) -> Header:
    """The header whose (lower) row is ``index``; the row above joins it under a merge."""
    rows: tuple[int, ...] = (index,)
    number = sheet.first_row + index
    if index > 0:
        upper = number - 1
        spans = any(m.min_row <= upper and m.max_row >= number for m in sheet.merges)
        grouped = any(
            m.min_row == m.max_row == upper and m.max_col > m.min_col for m in sheet.merges
        )
        above = {cells.text(v) for v in sheet.rows[index - 1] if cells.text(v)}
        if spans or (grouped and len(above) >= 2):
            rows = (index - 1, index)
    width = max((len(sheet.rows[i]) for i in rows), default=0) if sheet.rows else 0
    names = []
    for col in range(width):
        parts: list[str] = []
        for i in rows:
            row = sheet.rows[i]
            value = cells.text(row[col]) if col < len(row) else ""
            if value and value not in parts:
                parts.append(value)
        names.append("/".join(parts))
    return Header(rows, index + 1, tuple(names))


def _match(names: Sequence[str], fields: Sequence[FieldSpec]) -> dict[int, str]:
    """Column index → field key, best matches first, each field and column used once."""
    candidates: list[tuple[int, int, int, str]] = []  # (score, alias length, -col, key)
    for col, name in enumerate(names):
        key = header_key(name)
        if not key:
            continue
        last = key.split("/")[-1]
        for spec in fields:
            for alias in spec.aliases:
                a = header_key(alias)
                if a in (key, last):
                    candidates.append((3, len(a), -col, spec.key))
                elif a and a in key:
                    candidates.append((2, len(a), -col, spec.key))
    candidates.sort(reverse=True)
    used_cols: set[int] = set()
    used_fields: set[str] = set()
    out: dict[int, str] = {}
    for _s, _n, neg_col, key in candidates:
        col = -neg_col
        if col in used_cols or key in used_fields:
            continue
        out[col] = key
        used_cols.add(col)
        used_fields.add(key)
    return dict(sorted(out.items()))


def guess_mapping(header: Header, fields: Sequence[FieldSpec]) -> dict[int, str]:
    """Column index → field key guessed from the header names."""
    return _match(header.names, fields)
