"""Reading ledgers to import: .xlsx, .xls/.et (python-calamine) and CSV, as :class:`Sheet` s.

The file kind is decided by its extension; the readers are ``xlsx`` (workbooks: zip-bomb and
size limits checked before loading, the declared ``<dimension>`` never trusted) and ``text``
(CSV in UTF-8, UTF-16 or GB18030, detected or chosen). Nothing here knows about customers or
volumes; values come out as ``str``, ``int``, ``float``, ``datetime`` or ``None``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from app.errors import ImportFileUnreadable, ImportFormatUnsupported
from app.imports.sheet import (
    DEFAULT_LIMITS,
    Cell,
    ImportLimits,
    Merge,
    Row,
    Sheet,
    last_filled,
    size_mismatch,
)
from app.imports.text import ENCODINGS, detect_encoding, read_csv
from app.imports.xlsx import (
    check_file_size,
    column_number,
    legacy_sheet_names,
    read_calamine,
    read_xlsx,
    xlsx_sheet_names,
)

__all__ = [
    "DEFAULT_LIMITS",
    "ENCODINGS",
    "Cell",
    "ImportLimits",
    "Merge",
    "Row",
    "Sheet",
    "column_number",
    "detect_encoding",
    "file_kind",
    "iter_data",
    "read_sheet",
    "sheet_names",
    "size_mismatch",
]

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
OLD_EXCEL_SUFFIXES = (".xls", ".et", ".ett", ".xlt")


def legacy_reader_available() -> bool:
    """True when python-calamine is installed (it reads .xls and WPS .et workbooks)."""
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return False
    return True


def file_kind(path: Path) -> str:
    """``xlsx``, ``csv`` or ``legacy`` (.xls/.et through python-calamine, when installed).

    Without python-calamine older Excel/WPS formats are refused with what to do instead.
    """
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if suffix in OLD_EXCEL_SUFFIXES and legacy_reader_available():
        return "legacy"
    raise ImportFormatUnsupported(suffix=suffix or "（无扩展名）")


def sheet_names(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> list[str]:
    """The sheets of a workbook (a CSV file has one, named after nothing)."""
    kind = file_kind(path)
    if kind == "csv":
        check_file_size(path, limits)
        return ["CSV"]
    if kind == "legacy":
        return legacy_sheet_names(path, limits)
    return xlsx_sheet_names(path, limits)


def read_sheet(
    path: Path,
    sheet: str | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
    *,
    max_rows: int | None = None,
    encoding: str | None = None,
) -> Sheet:
    """Rows of ``sheet`` (the first when None), merged ranges filled, trailing blanks cut.

    ``max_rows`` stops early (a preview); without it more rows than the limit are refused.
    ``encoding`` (CSV only) overrides the detected one.
    """
    kind = file_kind(path)
    if kind == "csv":
        return read_csv(path, limits, max_rows, encoding)
    if kind == "legacy":
        result = read_calamine(path, sheet, limits, max_rows)
    else:
        result = read_xlsx(path, sheet, limits, max_rows)
    if not result.name:
        raise ImportFileUnreadable(detail="no_sheet")
    return result


def iter_data(sheet: Sheet, start: int) -> Iterator[tuple[int, Row]]:
    """``(sheet row number, row)`` from row index ``start`` on, blank rows skipped."""
    for i in range(start, len(sheet.rows)):
        row = sheet.rows[i]
        if last_filled(row):
            yield sheet.first_row + i, row
