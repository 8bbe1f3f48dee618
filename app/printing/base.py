"""Printing base shared by every form: CJK font, A4 page frame, footer with page numbers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from app.clock import format_local
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


def footer_painter(
    printed_by: str, printed_at: datetime, title: str
) -> Callable[[Canvas, int], None]:
    """Return a function drawing the standard footer: title, printed by/at, page X."""

    def paint(canvas: Canvas, page: int) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setStrokeGray(0.6)
        canvas.line(MARGIN, 14 * mm, PAGE_W - MARGIN, 14 * mm)
        canvas.drawString(
            MARGIN, 10 * mm, f"{title}　打印人：{printed_by}　打印时间：{format_local(printed_at)}"
        )
        canvas.drawRightString(PAGE_W - MARGIN, 10 * mm, f"第 {page} 页")
        canvas.restoreState()

    return paint


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
