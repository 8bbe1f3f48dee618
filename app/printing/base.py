"""Printing base shared by every form: the embedded CJK font, A4 size, atomic PDF writes.

The page template (header, footer with 第 x 页 / 共 y 页) is in ``app.printing.page``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, NamedTuple

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from app.paths import cjk_font_path
from app.storage.files import atomic_write_bytes

FONT = "ArchiveCJK"
MARGIN = 18 * mm
PAGE_W, PAGE_H = A4


def register_fonts() -> str:
    """Register the bundled CJK TrueType font once (embedded, subset, in every PDF)."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(cjk_font_path()), subfontIndex=0))
    return FONT


def cjk_style(name: str, size: float, leading: float, **more: Any) -> Any:
    """A paragraph style in the form font that may break a line between any two CJK characters."""
    from reportlab.lib.styles import ParagraphStyle

    return ParagraphStyle(
        name, fontName=FONT, fontSize=size, leading=leading, wordWrap="CJK", **more
    )


class ReportStyles(NamedTuple):
    """The styles of a flowing report (inspection record, statistics report)."""

    body: Any  # 9 pt text
    small: Any  # 8 pt: table cells, captions, notes
    heading: Any  # 11 pt section heading, kept with what follows it
    grey: Any  # the background of heading cells


def report_styles(prefix: str, *, space_before: float) -> ReportStyles:
    """The report styles, named ``<prefix>body`` etc., headings ``space_before`` points apart."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    register_fonts()
    heading = ParagraphStyle(
        f"{prefix}heading",
        fontName=FONT,
        fontSize=11,
        leading=16,
        spaceBefore=space_before,
        keepWithNext=1,
    )
    return ReportStyles(
        body=cjk_style(f"{prefix}body", 9, 12),
        small=cjk_style(f"{prefix}small", 8, 10),
        heading=heading,
        grey=colors.Color(0.93, 0.93, 0.93),
    )


@functools.cache
def char_width(char: str, size: float) -> float:
    """Width in points of one character in the form font (tables measure every cell's text)."""
    register_fonts()
    return float(pdfmetrics.stringWidth(char, FONT, size))


def new_canvas(buffer: Any, title: str) -> Canvas:
    """Return an A4 canvas with document metadata and the CJK font registered."""
    register_fonts()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("档案室 Archive Room")
    return canvas


def write_pdf(path: Path, data: bytes) -> None:
    """Write a finished PDF atomically."""
    atomic_write_bytes(path, data)
