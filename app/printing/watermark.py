"""Watermarks on copies of stored files (issue 23): who took the copy, when, under which 申请.

A PDF gets a text overlay on every page (ReportLab draws it, pdfium lays it over the page as a
form object, so the text stays extractable and the page content is untouched underneath); an
image gets the text drawn into its pixels (Pillow) and is saved as PNG. Other formats cannot
carry a watermark: :func:`watermark` returns None and the caller decides.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from app.printing.stamp import format_printed_at

PDF = "application/pdf"
IMAGES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff", "image/webp"}
)
GREY = (0.55, 0.1, 0.1)  # dark red, see-through: readable on white and on scans


@dataclass(frozen=True)
class CopyMark:
    """What a copy says about itself."""

    taken_by: str  # ``赵敏（zhao）``
    taken_at: datetime
    application: str  # 申请编号, "" when the copy needs none
    level: str = ""  # 密级 word of the material, "" when unclassified

    def text(self) -> str:
        """``复制件 机密 SQ2026-000001 赵敏（zhao） 2026-12-07 10:40 +08:00``."""
        parts = ["复制件", self.level, self.application, self.taken_by]
        parts.append(format_printed_at(self.taken_at))
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Marked:
    """A watermarked copy: its bytes and the media type they are in."""

    data: bytes
    media_type: str
    suffix: str


def can_watermark(media_type: str) -> bool:
    """True for the formats a watermark can be written into (PDF, images)."""
    return media_type == PDF or media_type in IMAGES


def watermark(data: bytes, media_type: str, mark: CopyMark) -> Marked | None:
    """``data`` with ``mark`` on every page or on the image (None: the format cannot carry it).

    Raises ValueError when the content cannot be read as its format (a broken file is not
    handed out unmarked).
    """
    if media_type == PDF:
        return Marked(watermark_pdf(data, mark.text()), PDF, ".pdf")
    if media_type in IMAGES:
        return Marked(watermark_image(data, mark.text()), "image/png", ".png")
    return None


# --- PDF ---------------------------------------------------------------------------------------
def _overlay(sizes: list[tuple[float, float]], text: str) -> bytes:
    """One page per size: the text across the middle (diagonal) and along the foot."""
    from reportlab.pdfgen.canvas import Canvas

    from app.printing.base import register_fonts

    font = register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=sizes[0] if sizes else (595, 842), pageCompression=1)
    for width, height in sizes:
        canvas.setPageSize((width, height))
        canvas.setFillColorRGB(*GREY)
        canvas.setFillAlpha(0.35)
        size = max(8.0, min(width, height) / 28)
        canvas.setFont(font, size)
        canvas.saveState()
        canvas.translate(width / 2, height / 2)
        canvas.rotate(35)
        for offset in (-2.5, 0.0, 2.5):
            canvas.drawCentredString(0, offset * size * 2.2, text)
        canvas.restoreState()
        canvas.setFillAlpha(0.8)
        canvas.setFont(font, max(6.0, size / 2))
        canvas.drawString(12, 10, text)
        canvas.drawString(12, height - 10 - size / 2, text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def watermark_pdf(data: bytes, text: str) -> bytes:
    """``data`` (a PDF) with ``text`` laid over every page."""
    import pypdfium2

    try:
        target = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise ValueError("not a readable PDF") from exc
    try:
        boxes = []
        for index in range(len(target)):
            page = target[index]
            try:
                boxes.append(page.get_mediabox())
            finally:
                page.close()
        sizes = sorted({(round(r - x, 2), round(t - y, 2)) for x, y, r, t in boxes})
        overlay = pypdfium2.PdfDocument(_overlay(sizes, text))
        try:
            for index, (x, y, r, t) in enumerate(boxes):
                form = overlay.page_as_xobject(
                    sizes.index((round(r - x, 2), round(t - y, 2))), target
                )
                obj = form.as_pageobject()
                obj.transform(pypdfium2.PdfMatrix().translate(x, y))
                page = target[index]
                try:
                    page.insert_obj(obj)
                    page.gen_content()
                finally:
                    page.close()
        finally:
            overlay.close()
        out = io.BytesIO()
        target.save(out)
        return out.getvalue()
    finally:
        target.close()


# --- images ------------------------------------------------------------------------------------
def watermark_image(data: bytes, text: str) -> bytes:
    """``data`` (an image) with ``text`` drawn across it in rows, as PNG."""
    from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

    from app.paths import cjk_font_path

    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.seek(0)  # the first frame of an animation or a multi-page TIFF
            base = opened.convert("RGBA")
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError("not a readable image") from exc
    width, height = base.size
    size = max(10, min(width, height) // 24)
    font = ImageFont.truetype(str(cjk_font_path()), size, index=0)
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    red = (140, 25, 25)
    step = size * 5
    for row, top in enumerate(range(size, max(height, size * 2), step)):
        left = -(row % 2) * size * 4
        draw.text((left, top), (text + "　") * 4, font=font, fill=(*red, 90))
    draw.text((size // 2, max(0, height - size * 2)), text, font=font, fill=(*red, 220))
    marked = Image.alpha_composite(base, layer).convert("RGB")
    out = io.BytesIO()
    marked.save(out, format="PNG")
    return out.getvalue()
