"""Reading workbooks: .xlsx through python-calamine (openpyxl as the fallback), .xls/.et too.

Everything that could make a file expensive is checked before the sheet is loaded: the size
on disk and, for .xlsx, the uncompressed size of every member of the zip (a zip bomb expands a
few KiB into gigabytes) and its compression ratio. The sheet's declared size (``<dimension>``)
is read but never trusted: the rows really in the sheet are read (a dimension smaller than the
data is common in files written by other tools), the declared size is kept on the
:class:`~app.imports.sheet.Sheet` so the preview can say it disagreed, and the row and column
limits are checked on the real rows. Merged ranges fill every cell of the range with the value
of its top-left cell, which is how a person reads a merged 档号 or a merged header.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from app.errors import ImportFileUnreadable, ImportTooLarge
from app.imports.sheet import (
    ImportLimits,
    Merge,
    MergeFiller,
    Row,
    Sheet,
    plain,
    trim,
)

_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*\bref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")


def column_number(letters: str) -> int:
    """``A`` → 1, ``AA`` → 27."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(number: int) -> str:
    """1 → ``A``, 27 → ``AA``."""
    out = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out or "A"


@contextmanager
def unreadable_on_error(
    *passing: type[Exception], caught: type[Exception] = Exception
) -> Iterator[None]:
    """A ``caught`` exception (other than ``passing`` ones) becomes ImportFileUnreadable.

    Its detail is the exception's type name only (the readers raise their own kinds).
    """
    try:
        yield
    except passing:
        raise
    except caught as exc:
        raise ImportFileUnreadable(detail=type(exc).__name__) from exc


def check_file_size(path: Path, limits: ImportLimits) -> None:
    """Refuse a file bigger than the limit (ImportTooLarge) or one that cannot be read."""
    with unreadable_on_error(caught=OSError):
        size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise ImportTooLarge(what="file", limit=limits.max_file_bytes // (1024 * 1024))


class CheckedZip:
    """A zip whose members were checked against the limits (context manager)."""

    def __init__(self, path: Path, limits: ImportLimits) -> None:
        check_file_size(path, limits)
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


def xlsx_sheet_names(path: Path, limits: ImportLimits) -> list[str]:
    """The sheets of an .xlsx workbook, from its index (quick)."""
    with CheckedZip(path, limits) as archive:
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


def _sheet_member(archive: zipfile.ZipFile, index: int) -> str:
    """The zip member of the ``index``-th sheet (through the workbook's relationships)."""
    workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
    rids = re.findall(r"<(?:\w+:)?sheet\b[^>]*\br:id=\"([^\"]+)\"", workbook)
    try:
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        rels = ""
    targets = {}
    for m in re.finditer(r"<Relationship\b([^>]*)>", rels):
        attrs = dict(re.findall(r"\b(Id|Target)=\"([^\"]+)\"", m.group(1)))
        if "Id" in attrs and "Target" in attrs:
            targets[attrs["Id"]] = attrs["Target"]
    default = f"worksheets/sheet{index + 1}.xml"
    target = targets.get(rids[index], default) if index < len(rids) else default
    target = target.lstrip("/")
    return target if target.startswith("xl/") else "xl/" + target


def _declared(archive: zipfile.ZipFile, member: str) -> tuple[int, int] | None:
    """The sheet's declared size (last row, last column) from the head of its XML, or None."""
    try:
        with archive.open(member) as stream:
            head = stream.read(4096)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportFileUnreadable(detail="sheet") from exc
    m = _DIMENSION.search(head)
    if m is None:
        return None
    last_col = m.group(3) or m.group(1)
    return int(m.group(4) or m.group(2)), column_number(last_col.decode())


def _merges(archive: zipfile.ZipFile, member: str) -> list[Merge]:
    """The merged ranges of a sheet: the XML streamed, the part after ``</sheetData>`` kept."""
    tail = b""
    try:
        with archive.open(member) as stream:
            while piece := stream.read(1 << 20):
                tail = (tail + piece)[-(1 << 21) :]
                end = tail.find(b"</sheetData>")
                if end >= 0:
                    tail = tail[end:]
    except (KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ImportFileUnreadable(detail="sheet") from exc
    return [
        Merge(
            int(g.group(2)),
            column_number(g.group(1).decode()),
            int(g.group(4)),
            column_number(g.group(3).decode()),
        )
        for g in _MERGE.finditer(tail)
    ]


def read_xlsx(path: Path, sheet: str | None, limits: ImportLimits, max_rows: int | None) -> Sheet:
    """The rows really in ``sheet`` of an .xlsx (the first when None), whatever it declares."""
    names = xlsx_sheet_names(path, limits)
    if not names:
        raise ImportFileUnreadable(detail="no_sheet")
    index = names.index(sheet) if sheet in names else 0
    with CheckedZip(path, limits) as archive:
        member = _sheet_member(archive, index)
        declared = _declared(archive, member)
        try:
            result = read_calamine(path, names[index], limits, max_rows)
        except ImportFileUnreadable:  # a file calamine refuses: openpyxl may still read it
            merges = _merges(archive, member)
            _check_merges(merges, limits)
            result = _read_openpyxl(path, names[index], merges, limits, max_rows)
    result.declared = declared
    return result


def _check_merges(merges: list[Merge], limits: ImportLimits) -> None:
    for merge in merges:
        if merge.max_row > limits.max_rows + 100 or merge.max_col > limits.max_columns:
            raise ImportTooLarge(what="rows", limit=limits.max_rows)


class _Rows:
    """Collects rows while checking the row and column limits on what is really there."""

    def __init__(self, merges: list[Merge], limits: ImportLimits) -> None:
        self.rows: list[Row] = []
        self.fills = MergeFiller(merges)
        self.limits = limits

    def add(self, number: int, values: Row) -> None:
        limits = self.limits
        if number > limits.max_rows + 100 and any(v is not None for v in values):
            raise ImportTooLarge(what="rows", limit=limits.max_rows)
        if len(values) > limits.max_columns:
            if any(v is not None for v in values[limits.max_columns :]):
                raise ImportTooLarge(what="columns", limit=limits.max_columns)
            values = values[: limits.max_columns]
        self.rows.append(self.fills.apply(number, values))

    def add_all(
        self, rows: Iterable[Iterable[Any]], start: int, max_rows: int | None, pad: Row = ()
    ) -> None:
        """Add ``rows`` numbered from ``start``, each after ``pad``; stop after row ``max_rows``."""
        for number, values in enumerate(rows, start=start):
            self.add(number, pad + tuple(map(plain, values)))
            if max_rows is not None and number >= max_rows:
                break


def read_calamine(
    path: Path,
    sheet: str | None,
    limits: ImportLimits,
    max_rows: int | None,
) -> Sheet:
    """A sheet read by python-calamine (.xlsx, .xls, .et): every cell really there."""
    from python_calamine import CalamineWorkbook

    check_file_size(path, limits)
    with unreadable_on_error():  # calamine raises its own kinds on damaged or other files
        book = CalamineWorkbook.from_path(str(path))
    try:
        names = [str(n) for n in book.sheet_names]
        if not names:
            raise ImportFileUnreadable(detail="no_sheet")
        name = sheet if sheet is not None and sheet in names else names[0]
        with unreadable_on_error(ImportTooLarge, ImportFileUnreadable):
            data = book.get_sheet_by_name(name)
            (top, left) = data.start or (0, 0)
            merges = [
                Merge(r0 + 1, c0 + 1, r1 + 1, c1 + 1)
                for (r0, c0), (r1, c1) in (data.merged_cell_ranges or [])
            ]
            _check_merges(merges, limits)
            out = _Rows(merges, limits)
            for number in range(1, top + 1):
                out.add(number, ())
            out.add_all(data.iter_rows(), top + 1, max_rows, pad=(None,) * left)
    finally:
        book.close()
    return Sheet(name, trim(out.rows), merges, reader="calamine")


def _read_openpyxl(
    path: Path, name: str, merges: list[Merge], limits: ImportLimits, max_rows: int | None
) -> Sheet:
    """The fallback reader: openpyxl streaming, the declared dimension reset (ignored)."""
    from openpyxl import load_workbook

    with unreadable_on_error(), warnings.catch_warnings():  # openpyxl: many kinds when damaged
        warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
        book = load_workbook(path, read_only=True, data_only=True)
    try:
        ws: Any = book[name]
        ws.reset_dimensions()  # a read-only sheet stops at its declared size otherwise
        out = _Rows(merges, limits)
        with unreadable_on_error(ImportTooLarge):
            out.add_all(ws.iter_rows(values_only=True), 1, max_rows)
    finally:
        book.close()
    return Sheet(name, trim(out.rows), merges, reader="openpyxl")


def legacy_sheet_names(path: Path, limits: ImportLimits) -> list[str]:
    """The sheets of an .xls/.et workbook."""
    from python_calamine import CalamineWorkbook

    check_file_size(path, limits)
    with unreadable_on_error():
        book = CalamineWorkbook.from_path(str(path))
    try:
        return [str(n) for n in book.sheet_names]
    finally:
        book.close()
