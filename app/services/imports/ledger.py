"""The ledger being imported: the sheet read with its header, its rows, what the preview shows.

:func:`load_ledger` reads a file's sheet (limits checked before loading; every row really in
the sheet, whatever size it declares) and finds its header; the operator may move the header
(:func:`move_header`) or choose another encoding for a CSV file. Below the header, every
non-blank row is either data or skipped (totals, sign-off lines, the header repeated:
``imports.footers``), so rows read = data rows + skipped rows. :func:`read_notes` says what
the preview should point out about the reading (a declared size that disagreed, the encoding).
The preview shows rows with personal values masked (R5): :func:`preview_cells` and
:func:`sheet_cells`.
"""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from app.errors import FieldError, ImportSheetEmpty
from app.imports import cells
from app.imports.footers import Skipped, split_rows
from app.imports.layout import FieldSpec, Header, detect_header, guess_mapping, header_at
from app.imports.sheet import Row
from app.imports.source import DEFAULT_LIMITS, ImportLimits, Sheet, read_sheet, size_mismatch
from app.imports.xlsx import column_letters
from app.security.masking import (
    mask_address,
    mask_bank_account,
    mask_id_number,
    mask_name,
    mask_phone,
)
from app.services.imports.kinds.base import ParsedRow
from app.services.imports.registry import kind_of

_SERIALS = itertools.count(1)


@dataclass
class Ledger:
    """A sheet read for import, with its header (the wizard may move the header row)."""

    path: Path
    sheet: Sheet
    header: Header
    serial: int = field(default_factory=lambda: next(_SERIALS), compare=False)

    @cached_property
    def split(self) -> tuple[list[tuple[int, Row]], list[Skipped]]:
        """The data rows below the header (sheet row number, row) and the rows skipped."""
        return split_rows(self.sheet, self.header)

    @property
    def data_rows(self) -> int:
        """Number of data rows below the header (blank and skipped rows not counted)."""
        return len(self.split[0])

    @property
    def skipped(self) -> list[Skipped]:
        """Rows below the header that are not data (totals, sign-offs, the header again)."""
        return self.split[1]

    @property
    def read_rows(self) -> int:
        """Every non-blank row below the header: data rows + skipped rows."""
        return len(self.split[0]) + len(self.split[1])


def load_ledger(
    path: Path,
    *,
    kind: str,
    sheet: str | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
    max_rows: int | None = None,
    encoding: str | None = None,
) -> Ledger:
    """Read ``sheet`` of ``path`` (limits checked before loading) and find its header.

    ``encoding`` (CSV files) overrides the detected one. Raises ImportFormatUnsupported,
    ImportFileUnreadable, ImportTooLarge, ImportSheetEmpty (nothing in the sheet).
    """
    data = read_sheet(path, sheet, limits, max_rows=max_rows, encoding=encoding)
    if not data.rows:
        raise ImportSheetEmpty(sheet=data.name)
    return Ledger(path, data, detect_header(data, kind_of(kind).fields))


def read_notes(ledger: Ledger) -> list[FieldError]:
    """What the preview points out about the reading (``field`` "sheet"; app.messages says it).

    ``size_declared``: the sheet declared a smaller size than its data (every row and column
    was read all the same); ``encoding``: the encoding a CSV file was read with.
    """
    notes = []
    found = size_mismatch(ledger.sheet)
    if found is not None:
        (rows, cols), (real_rows, real_cols) = found
        notes.append(
            FieldError(
                "sheet",
                "size_declared",
                {
                    "declared": f"A1:{column_letters(cols)}{rows}",
                    "real": f"A1:{column_letters(real_cols)}{real_rows}",
                },
            )
        )
    if ledger.sheet.encoding:
        notes.append(
            FieldError(
                "sheet",
                "encoding_detected" if ledger.sheet.encoding_detected else "encoding_chosen",
                {"encoding": ledger.sheet.encoding},
            )
        )
    return notes


def move_header(ledger: Ledger, index: int) -> Ledger:
    """The same sheet with the header at row index ``index`` (the operator chose it)."""
    index = max(0, min(index, max(len(ledger.sheet.rows) - 1, 0)))
    return Ledger(ledger.path, ledger.sheet, header_at(ledger.sheet, index))


def ledger_fields(kind: str) -> tuple[FieldSpec, ...]:
    """The fields of an import target (for the mapping step)."""
    return kind_of(kind).fields


def parsed_rows(
    ledger: Ledger, mapping: dict[int, str], limit: int | None = None
) -> list[ParsedRow]:
    """The data rows as field → cell (unmapped and not-imported columns left out)."""
    target_fields = {c: k for c, k in mapping.items()}
    out: list[ParsedRow] = []
    for number, row in ledger.split[0]:
        values = {key: row[col] for col, key in target_fields.items() if col < len(row)}
        out.append(ParsedRow(number, values))
        if limit is not None and len(out) >= limit:
            break
    return out


_MASKERS = {
    "name": mask_name,
    "customer_name": mask_name,
    "id_number": mask_id_number,
    "customer_id_number": mask_id_number,
    "phone": mask_phone,
    "phone2": mask_phone,
    "bank_account": mask_bank_account,
    "address": mask_address,
}


# 档号 and the dates of a volume ledger or loan register: shown as they are (not personal)
_NOT_PERSONAL = frozenset(
    {
        "reference_code",
        "loaned_on",
        "due_on",
        "returned_on",
        "date_range",
        "compiled_on",
        "doc_date",
    }
)


def preview_cells(kind: str, ledger: Ledger, mapping: dict[int, str], row_index: int) -> list[str]:
    """One sheet row as the preview shows it: personal values masked (R5)."""
    row = ledger.sheet.rows[row_index] if row_index < len(ledger.sheet.rows) else ()
    masked = kind_of(kind).masked_fields
    out = []
    for col in range(max(len(ledger.header.names), len(row))):
        text = cells.text(row[col]) if col < len(row) else ""
        key = mapping.get(col)
        if text and key in masked:
            text = _MASKERS.get(key, mask_name)(text)
        elif text and key not in _NOT_PERSONAL and sum(ch.isdigit() for ch in text) >= 6:
            text = mask_id_number(text)  # a number in a column not mapped as one: hide it too
        out.append(text)
    return out


def sheet_cells(kind: str, ledger: Ledger, row_index: int) -> list[str]:
    """A row for the header step: title and header rows as they are, data rows masked (R5).

    The columns are masked by the guessed mapping (the operator has not chosen one yet).
    """
    if row_index < ledger.header.data_start:
        row = ledger.sheet.rows[row_index] if row_index < len(ledger.sheet.rows) else ()
        return [cells.text(v) for v in row]
    samples = [row for _number, row in ledger.split[0][:200]]
    mapping = guess_mapping(ledger.header, kind_of(kind).fields, samples)
    return preview_cells(kind, ledger, mapping, row_index)


def file_digest(path: Path) -> str:
    """A short digest of a file's bytes (tests and logs name files by it, never by name)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
