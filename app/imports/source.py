"""Reading ledgers to import: .xlsx (openpyxl, read-only streaming) and CSV (UTF-8 or GB18030).

Everything that could make a file expensive is checked before the file is loaded: the size on
disk, for .xlsx the uncompressed size of every member of the zip (a zip bomb expands a few KiB
into gigabytes) and its compression ratio, and the sheet's declared dimension. While rows
stream the limits are checked again (a dimension can lie), so reading stops at the first row
past the limit. Merged cells are read from the sheet's ``<mergeCells>`` list (openpyxl's
read-only mode does not expose them) and every cell of a merged range gets the value of its
top-left cell, which is how a person reads a merged 档号 or a merged header.

Nothing here knows about customers or volumes; values come out as ``str``, ``int``, ``float``,
``datetime`` or ``None``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.errors import ImportFileUnreadable, ImportFormatUnsupported, ImportTooLarge

Cell = str | int | float | datetime | None
Row = tuple[Cell, ...]

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
OLD_EXCEL_SUFFIXES = (".xls", ".et", ".ett", ".xlt")


@dataclass(frozen=True)
class ImportLimits:
    """What a file may cost before it is refused (checked before loading)."""

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
    """One sheet's rows (merged ranges filled) and where merges were."""

    name: str
    rows: list[Row]
    merges: list[Merge]
    first_row: int = 1  # sheet row number of ``rows[0]``


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


def _check_file_size(path: Path, limits: ImportLimits) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileUnreadable(detail=type(exc).__name__) from exc
    if size > limits.max_file_bytes:
        raise ImportTooLarge(what="file", limit=limits.max_file_bytes // (1024 * 1024))


def sheet_names(path: Path, limits: ImportLimits = DEFAULT_LIMITS) -> list[str]:
    """The sheets of a workbook (a CSV file has one, named after nothing)."""
    kind = file_kind(path)
    if kind == "csv":
        _check_file_size(path, limits)
        return ["CSV"]
    if kind == "legacy":
        with _legacy_book(path, limits) as book:
            return list(book.sheet_names)
    with _open_zip(path, limits) as archive:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    names = re.findall(r"<(?:\w+:)?sheet\b[^>]*\bname=\"([^\"]*)\"", workbook)
    return [_xml_unescape(n) for n in names]


def _xml_unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )


class _CheckedZip:
    """A zip whose members were checked against the limits (context manager)."""

    def __init__(self, path: Path, limits: ImportLimits) -> None:
        _check_file_size(path, limits)
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise ImportFileUnreadable(detail="zip") from exc
        total = 0
        for info in self.archive.infolist():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > 1024 * 1024 and ratio > limits.max_ratio:
                self.archive.close()
                raise ImportTooLarge(what="ratio", limit=limits.max_ratio)
        if total > limits.max_uncompressed_bytes:
            self.archive.close()
            raise ImportTooLarge(
                what="uncompressed", limit=limits.max_uncompressed_bytes // (1024 * 1024)
            )
        if "xl/workbook.xml" not in self.archive.namelist():
            self.archive.close()
            raise ImportFileUnreadable(detail="workbook")

    def __enter__(self) -> zipfile.ZipFile:
        return self.archive

    def __exit__(self, *_exc: object) -> None:
        self.archive.close()


def _open_zip(path: Path, limits: ImportLimits) -> _CheckedZip:
    return _CheckedZip(path, limits)


_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")


def column_number(letters: str) -> int:
    """``A`` → 1, ``AA`` → 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _sheet_member(archive: zipfile.ZipFile, index: int) -> str:
    """The zip member of the ``index``-th sheet (through the workbook's relationships)."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    rids = re.findall(r"<(?:\w+:)?sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook)
    rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = {
        m.group(1): m.group(2)
        for m in re.finditer(
            r"<Relationship\b[^>]*\bId=\"([^\"]+)\"[^>]*\bTarget=\"([^\"]+)\"", rels
        )
    }
    targets.update(
        {
            m.group(2): m.group(1)
            for m in re.finditer(
                r"<Relationship\b[^>]*\bTarget=\"([^\"]+)\"[^>]*\bId=\"([^\"]+)\"", rels
            )
        }
    )
    target = targets.get(rids[index], f"worksheets/sheet{index + 1}.xml") if rids else ""
    target = target.lstrip("/")
    return target if target.startswith("xl/") else "xl/" + target


def _scan_sheet(archive: zipfile.ZipFile, member: str, limits: ImportLimits) -> list[Merge]:
    """Read the sheet's declared dimension (refused when too big) and its merged ranges.

    The XML is streamed in pieces: only the dimension at the start and the merge list after
    ``</sheetData>`` are kept.
    """
    merges: list[Merge] = []
    head = b""
    tail = b""
    seen_head = False
    try:
        with archive.open(member) as stream:
            while True:
                piece = stream.read(1 << 20)
                if not piece:
                    break
                if not seen_head:
                    head += piece
                    if len(head) > 4096 or b"<sheetData" in head:
                        seen_head = True
                        _check_dimension(head, limits)
                tail = (tail + piece)[-(1 << 21) :]
                end = tail.find(b"</sheetData>")
                if end >= 0:
                    tail = tail[end:]
    except (KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportFileUnreadable(detail="sheet") from exc
    if not seen_head:
        _check_dimension(head, limits)
    for m in _MERGE.finditer(tail):
        merge = Merge(
            int(m.group(2)),
            column_number(m.group(1).decode()),
            int(m.group(4)),
            column_number(m.group(3).decode()),
        )
        if merge.max_row > limits.max_rows + 100 or merge.max_col > limits.max_columns:
            raise ImportTooLarge(what="rows", limit=limits.max_rows)
        merges.append(merge)
    return merges


def _check_dimension(head: bytes, limits: ImportLimits) -> None:
    m = _DIMENSION.search(head)
    if m is None or m.group(3) is None:
        return
    rows = int(m.group(4)) - int(m.group(2)) + 1
    cols = column_number(m.group(3).decode()) - column_number(m.group(1).decode()) + 1
    if rows > limits.max_rows + 100:  # a few title and header rows above the data
        raise ImportTooLarge(what="rows", limit=limits.max_rows)
    if cols > limits.max_columns:
        raise ImportTooLarge(what="columns", limit=limits.max_columns)


def read_sheet(
    path: Path,
    sheet: str | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
    *,
    max_rows: int | None = None,
) -> Sheet:
    """Rows of ``sheet`` (the first when None), merged ranges filled, trailing blanks cut.

    ``max_rows`` stops early (a preview); without it more rows than the limit are refused.
    """
    kind = file_kind(path)
    if kind == "csv":
        return _read_csv(path, limits, max_rows=max_rows)
    if kind == "legacy":
        return _read_legacy(path, sheet, limits, max_rows=max_rows)
    with _open_zip(path, limits) as archive:
        names = sheet_names(path, limits)
        if not names:
            raise ImportFileUnreadable(detail="no_sheet")
        index = names.index(sheet) if sheet in names else 0
        merges = _scan_sheet(archive, _sheet_member(archive, index), limits)
    return _read_xlsx(path, names[index], merges, limits, max_rows=max_rows)


def _read_xlsx(
    path: Path, name: str, merges: list[Merge], limits: ImportLimits, *, max_rows: int | None
) -> Sheet:
    import warnings

    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
            book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise ImportFileUnreadable(detail=type(exc).__name__) from exc
    try:
        ws = book[name]
        rows: list[Row] = []
        fills = _MergeFiller(merges)
        width = 0
        try:
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if number > limits.max_rows + 100:
                    raise ImportTooLarge(what="rows", limit=limits.max_rows)
                if len(values) > limits.max_columns:
                    if any(v is not None for v in values[limits.max_columns :]):
                        raise ImportTooLarge(what="columns", limit=limits.max_columns)
                    values = values[: limits.max_columns]
                row = fills.apply(number, tuple(_plain(v) for v in values))
                rows.append(row)
                width = max(width, len(row))
                if max_rows is not None and number >= max_rows:
                    break
        except ImportTooLarge:
            raise
        except Exception as exc:
            raise ImportFileUnreadable(detail=type(exc).__name__) from exc
    finally:
        book.close()
    return Sheet(name, _trim(rows), merges)


def _plain(value: Any) -> Cell:
    if value is None or isinstance(value, str | int | float | datetime):
        return value
    if isinstance(value, bool):
        return int(value)
    return str(value)


class _MergeFiller:
    """Gives every cell of a merged range the value of its top-left cell, while rows stream."""

    def __init__(self, merges: list[Merge]) -> None:
        self._starting: dict[int, list[Merge]] = {}
        for m in merges:
            self._starting.setdefault(m.min_row, []).append(m)
        self._active: list[tuple[Merge, Cell]] = []

    def apply(self, number: int, row: Row) -> Row:
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


def _trim(rows: list[Row]) -> list[Row]:
    """Drop empty cells at the end of rows and empty rows at the end of the sheet."""
    out = [row[: _last_filled(row)] for row in rows]
    while out and not out[-1]:
        out.pop()
    return out


def _last_filled(row: Row) -> int:
    for i in range(len(row) - 1, -1, -1):
        v = row[i]
        if v is not None and not (isinstance(v, str) and not v.strip()):
            return i + 1
    return 0


class _legacy_book:
    """An .xls/.et workbook opened by python-calamine (the size checked first)."""

    def __init__(self, path: Path, limits: ImportLimits) -> None:
        from python_calamine import CalamineWorkbook

        _check_file_size(path, limits)
        try:
            self.book = CalamineWorkbook.from_path(str(path))
        except Exception as exc:  # calamine raises its own kinds on damaged or other files
            raise ImportFileUnreadable(detail=type(exc).__name__) from exc

    def __enter__(self) -> Any:
        return self.book

    def __exit__(self, *_exc: object) -> None:
        self.book.close()


def _read_legacy(
    path: Path, sheet: str | None, limits: ImportLimits, *, max_rows: int | None
) -> Sheet:
    """An .xls (BIFF, at most 65,536 rows by its format) or WPS .et sheet."""
    with _legacy_book(path, limits) as book:
        names = list(book.sheet_names)
        if not names:
            raise ImportFileUnreadable(detail="no_sheet")
        name = sheet if sheet is not None and sheet in names else str(names[0])
        try:
            data = book.get_sheet_by_name(name)
            (top, left), (bottom, right) = data.start or (0, 0), data.end or (0, 0)
            if bottom - top + 1 > limits.max_rows + 100:
                raise ImportTooLarge(what="rows", limit=limits.max_rows)
            if right + 1 > limits.max_columns:
                raise ImportTooLarge(what="columns", limit=limits.max_columns)
            merges = [
                Merge(r0 + 1, c0 + 1, r1 + 1, c1 + 1)
                for (r0, c0), (r1, c1) in (data.merged_cell_ranges or [])
            ]
            fills = _MergeFiller(merges)
            rows: list[Row] = [()] * top  # rows above the first filled one
            for number, values in enumerate(data.iter_rows(), start=top + 1):
                cells = tuple([None] * left) + tuple(_legacy_value(v) for v in values)
                rows.append(fills.apply(number, cells))
                if max_rows is not None and number >= max_rows:
                    break
        except ImportTooLarge:
            raise
        except Exception as exc:
            raise ImportFileUnreadable(detail=type(exc).__name__) from exc
    return Sheet(name, _trim(rows), merges)


def _legacy_value(value: Any) -> Cell:
    from datetime import date, time, timedelta

    if value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, time | timedelta):
        return str(value)
    return _plain(value)


ENCODINGS = ("utf-8-sig", "gb18030")


def detect_encoding(data: bytes) -> str:
    """``utf-8-sig`` when the bytes are UTF-8 (with or without BOM), else ``gb18030``.

    UTF-8 is tried first: GB18030 decodes almost any byte string, UTF-8 rejects what is not.
    """
    sample = data[: 1 << 20]
    try:
        sample.decode("utf-8-sig")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if exc.start >= len(sample) - 4 and len(data) > len(sample):
            return "utf-8-sig"
    return "gb18030"


def _read_csv(path: Path, limits: ImportLimits, *, max_rows: int | None) -> Sheet:
    _check_file_size(path, limits)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileUnreadable(detail=type(exc).__name__) from exc
    encoding = detect_encoding(data)
    text = data.decode(encoding, errors="replace")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[Row] = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if number > limits.max_rows + 100:
                raise ImportTooLarge(what="rows", limit=limits.max_rows)
            if len(values) > limits.max_columns:
                if any(v.strip() for v in values[limits.max_columns :]):
                    raise ImportTooLarge(what="columns", limit=limits.max_columns)
                values = values[: limits.max_columns]
            rows.append(tuple(v if v != "" else None for v in values))
            if max_rows is not None and number >= max_rows:
                break
    except csv.Error as exc:
        raise ImportFileUnreadable(detail="csv") from exc
    return Sheet("CSV", _trim(rows), [])


def iter_data(sheet: Sheet, start: int) -> Iterator[tuple[int, Row]]:
    """``(sheet row number, row)`` from row index ``start`` on, blank rows skipped."""
    for i in range(start, len(sheet.rows)):
        row = sheet.rows[i]
        if _last_filled(row):
            yield sheet.first_row + i, row
