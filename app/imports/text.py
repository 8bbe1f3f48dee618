"""Reading CSV ledgers: the encoding detected or chosen, the delimiter sniffed, every line kept.

The encoding is UTF-8 (with or without BOM), UTF-16 or GB18030, detected or chosen by the
operator.
Bytes that do not decode become U+FFFD (never an error): the row checks then warn about them
(``app.imports.suspect``), so a garbled name is shown before it is imported.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from app.errors import ImportFileUnreadable, ImportTooLarge
from app.imports.sheet import ImportLimits, Row, Sheet, trim
from app.imports.xlsx import check_file_size, unreadable_on_error

# What the operator can choose (the wizard names them); detect_encoding gives one of these.
ENCODINGS = ("utf-8-sig", "gb18030", "utf-16")
_SAMPLE = 1 << 20


def detect_encoding(data: bytes) -> str:
    """The encoding of a CSV file's bytes: ``utf-8-sig``, ``utf-16`` or ``gb18030``.

    A byte-order mark decides. Without one, text with a NUL in every other byte is UTF-16.
    UTF-8 is tried next: GB18030 decodes almost any byte string, UTF-8 rejects what is not;
    a UTF-8 file with a few stray bytes (pasted from elsewhere) stays UTF-8, the stray bytes
    becoming replacement characters that the preview warns about.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:_SAMPLE]
    if len(sample) >= 4 and _utf16_without_bom(sample):
        return "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
    try:
        sample.decode("utf-8")
        return "utf-8-sig"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        if exc.start >= len(sample) - 4 and len(data) > len(sample):
            return "utf-8-sig"
    decoded = sample.decode("utf-8", errors="replace")
    bad = decoded.count("\ufffd")
    good = sum(1 for ch in decoded if ord(ch) > 0x7F) - bad
    return "utf-8-sig" if good >= 20 * bad else "gb18030"


def _utf16_without_bom(sample: bytes) -> bool:
    zeros = max(sample[0::2].count(0), sample[1::2].count(0))
    return zeros * 3 >= len(sample) // 2 and sample.count(0) * 5 < len(sample) * 3


def read_csv(
    path: Path, limits: ImportLimits, max_rows: int | None, encoding: str | None = None
) -> Sheet:
    """Every line of a CSV file as a row (``encoding`` None: detected)."""
    check_file_size(path, limits)
    with unreadable_on_error(caught=OSError):
        data = path.read_bytes()
    chosen = encoding or detect_encoding(data)
    try:
        text = data.decode(chosen, errors="replace")
    except LookupError as exc:
        raise ImportFileUnreadable(detail="encoding") from exc
    text = text.removeprefix("\ufeff")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows: list[Row] = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            if number > limits.max_rows + 100 and any(v.strip() for v in values):
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
    return Sheet(
        "CSV", trim(rows), [], encoding=chosen, encoding_detected=encoding is None, reader="csv"
    )
