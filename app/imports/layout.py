"""Where a ledger's header is, and which column holds what: guesses from common Chinese headers.

Ledgers often start with a title row (merged across the table: "2023年客户台账") and sometimes
have a two-level header ("联系方式" merged over "手机" and "固定电话"). After merged ranges
are filled (``source``), the header is the row among the first ones that names most known
fields; the row above joins it when a merged range spans both.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
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
    values: frozenset[str] = frozenset()  # the words its cells hold (folded), for guessing
    looks: Callable[[str], bool] | None = None  # True for a cell text shaped like this field's
    level: str = ""  # "volume" / "item": a row-level field (题名 may be either, see guesses)
    groups: bool = False  # the same value on several rows: one volume with several items


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


def _match(names: Sequence[str], fields: Sequence[FieldSpec]) -> dict[int, str]:  # header score
    """Column index → field key, best matches first, each field and column used once."""
    candidates = sorted(  # (score, alias length, -col, key): best first
        ((score, length, -col, key) for col, key, score, length in _alias_hits(names, fields)),
        reverse=True,
    )
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


def guess_mapping(
    header: Header, fields: Sequence[FieldSpec], samples: Sequence[Sequence[object]] = ()
) -> dict[int, str]:
    """Column index → field key guessed from the header names (and the values, if given)."""
    return {c: g.key for c, g in guess_columns(header, fields, samples).items()}


@dataclass(frozen=True)
class Guess:
    """Why a column was guessed to hold a field, and how sure the guess is.

    ``confidence``: ``high`` (the name and the values agree, the values leave no doubt, or
    the name is exact and there is nothing to check by), ``medium`` (the name with values that
    neither fit nor misfit, or too few of them; the values alone), ``low`` (part of the name);
    ``basis``: ``name``, ``name_part``, ``values``, ``name_values``, ``rows`` (题名 as a
    volume's or an item's title, by the other columns and rows); ``share`` the part of the
    column's sample values that fit the field (None: not looked at); ``instead``: the field
    the name alone suggested when the values said otherwise.
    """

    key: str
    confidence: str
    basis: str
    share: float | None = None
    instead: str | None = None


MIN_SAMPLES = 3
FITS = 0.8  # this part of a column's values fit a field: the values say it is that field
MISFITS = 0.5  # less than this part fits: the values say it is not


def guess_columns(
    header: Header, fields: Sequence[FieldSpec], samples: Sequence[Sequence[object]] = ()
) -> dict[int, Guess]:
    """Column index → :class:`Guess`: by the header names, checked against the values.

    ``samples`` are data rows (the first hundred or so). A column whose values are the words
    of a choice field (个人/企业, ★/A/B/C, 男/女) is that field even when its name suggests
    another (a 客户类型 column holding 个人/企业 is 个人/单位, not 一般/特殊); a name whose
    field the values do not fit at all is not guessed. A header that fits a volume's and an
    item's field alike (题名) goes by the rows: several rows per 档号, or item columns present,
    make it the item's.
    """
    by_key = {f.key: f for f in fields}
    texts = _column_texts(header, samples)
    name_hits = _name_candidates(header.names, fields)
    candidates: list[tuple[float, int, int, str, Guess]] = []
    for col, name in enumerate(header.names):
        values = texts.get(col, [])
        for spec in fields:
            name_score = name_hits.get((col, spec.key), 0)
            share = _share(spec, values)
            guess = _judge(spec, name_score, share, len(values))
            if guess is not None:
                score = (10 if guess.basis in ("values", "name_values") else 0) + name_score
                candidates.append((score, len(name), -col, spec.key, guess))
    candidates.sort(key=lambda c: (c[0], c[1], c[2]), reverse=True)
    out: dict[int, Guess] = {}
    used: set[str] = set()
    for _score, _n, neg_col, key, guess in candidates:
        col = -neg_col
        if col in out or key in used:
            continue
        out[col] = guess
        used.add(key)
    out = _by_rows(out, header, fields, texts, name_hits)
    for col, guess in list(out.items()):
        if guess.basis == "values":
            named = next((k for (c, k), s in name_hits.items() if c == col and s == 3), None)
            if named and named != guess.key and named in by_key:
                out[col] = Guess(guess.key, guess.confidence, guess.basis, guess.share, named)
    return dict(sorted(out.items()))


def _column_texts(header: Header, samples: Sequence[Sequence[object]]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for row in samples:
        for col in range(min(len(row), len(header.names))):
            text = cells.text(row[col])  # type: ignore[arg-type]
            if text:
                out.setdefault(col, []).append(text)
    return out


def _name_candidates(
    names: Sequence[str], fields: Sequence[FieldSpec]
) -> dict[tuple[int, str], int]:
    """(column, field) → 3 (a header equal to an alias) or 2 (containing one)."""
    out: dict[tuple[int, str], int] = {}
    for col, key, score, _length in _alias_hits(names, fields):
        if score > out.get((col, key), 0):
            out[(col, key)] = score
    return out


def _alias_hits(
    names: Sequence[str], fields: Sequence[FieldSpec]
) -> Iterator[tuple[int, str, int, int]]:
    """(column, field, score, alias length) of each alias found in a header name.

    Score 3: the alias is the whole name or its last part (after a ``/``); 2: inside it.
    """
    for col, name in enumerate(names):
        key = header_key(name)
        if not key:
            continue
        last = key.split("/")[-1]
        for spec in fields:
            for alias in spec.aliases:
                a = header_key(alias)
                score = 3 if a in (key, last) else 2 if a and a in key else 0
                if score:
                    yield col, spec.key, score, len(a)


def _share(spec: FieldSpec, values: list[str]) -> float | None:
    """The part of ``values`` that fit ``spec`` (None: the field has nothing to check by)."""
    if not values or (not spec.values and spec.looks is None):
        return None
    fit = 0
    for text in values:
        folded = "".join(text.split()).casefold()
        if folded in spec.values or (spec.looks is not None and spec.looks(text)):
            fit += 1
    return fit / len(values)


def _judge(spec: FieldSpec, name_score: int, share: float | None, count: int) -> Guess | None:
    enough = count >= MIN_SAMPLES
    if share is not None and enough and share >= FITS:
        if name_score:
            return Guess(spec.key, "high", "name_values", share)
        if spec.values:  # a vocabulary (not a mere shape) is evidence on its own
            return Guess(spec.key, "high" if share >= 0.95 else "medium", "values", share)
        return None
    if not name_score:
        return None
    if share is not None and enough and share < MISFITS:
        return None  # the name says so, the values do not: every row would be refused
    if name_score == 3:  # certain when there is nothing to check by, else the values hesitate
        return Guess(spec.key, "high" if share is None else "medium", "name", share)
    return Guess(spec.key, "low", "name_part", share)


ITEM_REPEATS = 0.2  # share of rows repeating an earlier 档号 that makes a ledger one of items


def _repeats_much(values: list[str]) -> bool:
    """True when many rows repeat an earlier row's value (a 卷内目录: several items a volume).

    One 档号 typed twice in a 案卷目录 is a mistake to show (a duplicate group), not a sign that
    its rows are items.
    """
    filled = [v for v in values if v]
    return len(filled) - len(set(filled)) >= max(1, ITEM_REPEATS * len(filled))


def _by_rows(
    out: dict[int, Guess],
    header: Header,
    fields: Sequence[FieldSpec],
    texts: dict[int, list[str]],
    name_hits: dict[tuple[int, str], int],
) -> dict[int, Guess]:
    """题名 and the like: a header equal to a volume field's and an item field's alias."""
    levels = {f.key: f.level for f in fields}
    if not any(levels.values()):
        return out
    item_cols = {c for c, g in out.items() if levels.get(g.key) == "item"}
    group_cols = [c for c, g in out.items() for f in fields if f.key == g.key and f.groups]
    repeated = any(_repeats_much(texts.get(c, [])) for c in group_cols)
    for col in range(len(header.names)):
        tied = {k for (c, k), s in name_hits.items() if c == col and s == 3 and levels.get(k)}
        if {levels[k] for k in tied} != {"volume", "item"}:
            continue
        other_items = item_cols - {col}
        level = "item" if repeated or other_items else "volume"
        key = next(k for k in sorted(tied) if levels[k] == level)
        taken = {g.key for c, g in out.items() if c != col}
        if key in taken:
            continue
        out[col] = Guess(key, "medium", "rows")
    return out
