"""Which electronic files may be attached (R13): type from the content, never from the name.

:func:`sniff` looks at the first bytes. ZIP containers (Office OOXML, OFD) are told apart by their
entries, read by :func:`zip_media_type` from the whole file. :func:`extension_conflict` refuses a
name whose extension claims another type than the content (an ``.exe`` renamed ``.pdf``, a PNG
named ``.pdf``).
"""

from __future__ import annotations

import codecs
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TIFF = "image/tiff"
GIF = "image/gif"
BMP = "image/bmp"
WEBP = "image/webp"
TEXT = "text/plain; charset=utf-8"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OFD = "application/ofd"
ZIP_CANDIDATE = "application/zip"  # not allowed itself: resolved by zip_media_type


@dataclass(frozen=True)
class FileType:
    """An allowed type: its Chinese label and the extensions that may name it."""

    media_type: str
    label: str
    extensions: frozenset[str]


ALLOWED: dict[str, FileType] = {
    t.media_type: t
    for t in (
        FileType(PDF, "PDF 文档", frozenset({"pdf"})),
        FileType(JPEG, "JPEG 图像", frozenset({"jpg", "jpeg", "jpe", "jfif"})),
        FileType(PNG, "PNG 图像", frozenset({"png"})),
        FileType(TIFF, "TIFF 图像", frozenset({"tif", "tiff"})),
        FileType(GIF, "GIF 图像", frozenset({"gif"})),
        FileType(BMP, "BMP 图像", frozenset({"bmp", "dib"})),
        FileType(WEBP, "WebP 图像", frozenset({"webp"})),
        FileType(TEXT, "纯文本（UTF-8）", frozenset({"txt", "text", "csv", "log", "md"})),
        FileType(DOCX, "Word 文档（docx）", frozenset({"docx"})),
        FileType(XLSX, "Excel 表格（xlsx）", frozenset({"xlsx"})),
        FileType(PPTX, "PowerPoint 演示文稿（pptx）", frozenset({"pptx"})),
        FileType(OFD, "OFD 版式文档", frozenset({"ofd"})),
    )
}

ALLOWED_LABELS = "、".join(t.label for t in ALLOWED.values())

_BMP_HEADER_SIZES = {12, 40, 52, 56, 64, 108, 124}
# Control characters that make a "text" file binary (tab, LF, FF, CR and ESC are allowed).
_BINARY_CONTROLS = bytes(c for c in range(32) if c not in (9, 10, 12, 13, 27)) + b"\x7f"


def sniff(head: bytes) -> str | None:
    """The media type the first bytes announce, ZIP_CANDIDATE for a ZIP, None when unknown.

    Plain text is only a candidate here; :class:`TextCheck` must accept the whole content.
    """
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return TIFF
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if (
        head.startswith(b"BM")
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in _BMP_HEADER_SIZES
    ):
        return BMP
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"PK\x03\x04"):
        return ZIP_CANDIDATE
    if head and TextCheck.plausible(head):
        return TEXT
    return None


class TextCheck:
    """Accepts a stream of chunks only if the whole content is UTF-8 text."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.ok = True

    @staticmethod
    def plausible(data: bytes) -> bool:
        """No binary control characters (a NUL, for example) in ``data``."""
        return len(data.translate(None, _BINARY_CONTROLS)) == len(data)

    def feed(self, chunk: bytes, *, final: bool) -> None:
        """Check one more chunk (``final`` for the last one); sets ``ok`` to False on failure."""
        if not self.ok:
            return
        if not self.plausible(chunk):
            self.ok = False
            return
        try:
            self._decoder.decode(chunk, final)
        except UnicodeDecodeError:
            self.ok = False


def zip_media_type(source: BinaryIO) -> str | None:
    """The OOXML or OFD type of a seekable ZIP by its entries; None for any other ZIP."""
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
        if "ppt/presentation.xml" in names:
            return PPTX
        return None
    if "OFD.xml" in names:
        return OFD
    return None


def extension_of(name: str) -> str:
    """The lower-case extension of ``name`` without the dot ("" when there is none)."""
    stem, dot, ext = name.rpartition(".")
    return ext.casefold() if dot and stem.strip() else ""


def extension_conflict(name: str, media_type: str) -> str | None:
    """The extension of ``name`` when it claims another type than ``media_type``, else None."""
    ext = extension_of(name)
    if not ext or ext in ALLOWED[media_type].extensions:
        return None
    return ext
