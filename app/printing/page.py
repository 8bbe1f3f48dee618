"""The A4 page template every form uses (R17, "Printed forms" in the domain brief).

Each page gets a header (organisation name at the left, the form title centred, the secrecy mark
such as ``机密★20年`` in red at the top right when anything printed is 机密/绝密) and a footer
(printed by, printed at in local time with its UTC offset, ``第 x 页 / 共 y 页``). The total page
count is known because the canvas keeps every finished page until ``save`` and paints the
footers then (one layout pass, no second rendering).

Forms hand :func:`render_document` a list of flowables and, optionally, a block (for instance the
卷内目录's 档号/题名 header) that is repeated under the page header on every page.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from app.printing.base import FONT, MARGIN, PAGE_H, PAGE_W, register_fonts
from app.printing.stamp import format_printed_at as format_printed_at
from app.printing.stamp import printed_by_text as printed_by_text

CREATOR = "档案室 Archive Room"
FRAME_W = PAGE_W - 2 * MARGIN
HEADER_H = 30 * mm  # from the top edge to the first line of the page's content
FOOTER_H = 20 * mm  # from the bottom edge to the last line of the page's content
BLOCK_GAP = 3 * mm  # between the repeated block and the frame
SECRECY_RED = Color(0.75, 0.0, 0.0)
BLACK = Color(0, 0, 0)


class PrintedForm(Protocol):
    """The fields every form's rows carry for the page header and footer."""

    @property
    def organisation(self) -> str: ...  # noqa: D102

    @property
    def printed_by(self) -> str: ...  # noqa: D102

    @property
    def printed_by_username(self) -> str: ...  # noqa: D102

    @property
    def printed_at(self) -> datetime: ...  # noqa: D102


@dataclass(frozen=True)
class PageSetup:
    """What the header and footer of every page show.

    Attributes:
        organisation: the organisation (单位) name, top left.
        title: the form's title, centred in the header and the PDF's title.
        printed_by: display name of the signed-in user.
        printed_by_username: their user name (shown in brackets).
        printed_at: when the document was rendered (any time zone; printed in local time).
        secrecy_mark: ``机密★20年`` when anything printed is 机密/绝密, else empty.
        landscape: A4 turned sideways (the 借阅登记簿's many columns).
    """

    organisation: str
    title: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime
    secrecy_mark: str = ""
    landscape: bool = False

    @classmethod
    def of(
        cls, form: PrintedForm, title: str, secrecy_mark: str = "", *, landscape: bool = False
    ) -> PageSetup:
        """The set-up of ``form``, whose rows carry the organisation and who printed it when."""
        stamp = (form.printed_by, form.printed_by_username, form.printed_at)
        return cls(form.organisation, title, *stamp, secrecy_mark, landscape)

    @property
    def size(self) -> tuple[float, float]:
        """Page width and height in points."""
        return (PAGE_H, PAGE_W) if self.landscape else (PAGE_W, PAGE_H)

    @property
    def frame_width(self) -> float:
        """Width of the text frame inside the margins."""
        return float(self.size[0] - 2 * MARGIN)


def draw_bold(canvas: Canvas, x: float, y: float, text: str, size: float, colour: Color) -> None:
    """Draw ``text`` from (x, y) in the CJK font, emboldened by stroking the glyph outlines."""
    canvas.saveState()
    canvas.setFillColor(colour)
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(size / 32)
    obj = canvas.beginText()
    obj.setFont(FONT, size)
    obj.setTextRenderMode(2)  # fill and stroke: bold without a bold face
    obj.setTextOrigin(x, y)
    obj.textOut(text)
    obj.setTextRenderMode(0)  # the render mode outlives the text object in the PDF
    canvas.drawText(obj)
    canvas.restoreState()


def paint_header(canvas: Canvas, setup: PageSetup) -> None:
    """Draw the page header: organisation at the left, secrecy mark at the right, title."""
    page_w, page_h = setup.size
    canvas.saveState()
    top = page_h - 12 * mm
    canvas.setFont(FONT, 9)
    canvas.setFillGray(0.25)
    canvas.drawString(MARGIN, top, setup.organisation)
    if setup.secrecy_mark:
        width = canvas.stringWidth(setup.secrecy_mark, FONT, 14)
        draw_bold(
            canvas, page_w - MARGIN - width, top - 1 * mm, setup.secrecy_mark, 14, SECRECY_RED
        )
    width = canvas.stringWidth(setup.title, FONT, 17)
    draw_bold(canvas, (page_w - width) / 2, page_h - 23 * mm, setup.title, 17, BLACK)
    canvas.restoreState()


def paint_footer(canvas: Canvas, setup: PageSetup, page: int, total: int) -> None:
    """Draw the footer: a rule, printed by/at at the left, ``第 x 页 / 共 y 页`` at the right."""
    page_w = setup.size[0]
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.setStrokeGray(0.6)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, 14 * mm, page_w - MARGIN, 14 * mm)
    who = printed_by_text(setup.printed_by, setup.printed_by_username)
    canvas.drawString(
        MARGIN, 10 * mm, f"打印人：{who}　打印时间：{format_printed_at(setup.printed_at)}"
    )
    canvas.drawRightString(page_w - MARGIN, 10 * mm, f"第 {page} 页 / 共 {total} 页")
    canvas.restoreState()


def _numbered_canvas(setup: PageSetup) -> type[Canvas]:
    """A canvas class that holds its pages until ``save`` and then paints the footers."""

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # ReportLab has no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:  # ReportLab's name
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                paint_footer(self, setup, number, total)
                Canvas.showPage(self)
            Canvas.save(self)

    return NumberedCanvas


def render_document(
    setup: PageSetup, story: Sequence[Flowable], *, page_block: Flowable | None = None
) -> bytes:
    """Lay ``story`` out on A4 pages with the standard header and footer; return the PDF.

    ``page_block`` (if any) is drawn under the header on every page, and the text frame starts
    below it, so a form's identifying block repeats on each page.
    """
    register_fonts()
    buffer = io.BytesIO()
    page_w, page_h = setup.size
    block_h = 0.0
    if page_block is not None:
        _, block_h = page_block.wrap(setup.frame_width, page_h)
        block_h += BLOCK_GAP
    frame_top = page_h - HEADER_H - block_h
    frame = Frame(
        MARGIN,
        FOOTER_H,
        setup.frame_width,
        frame_top - FOOTER_H,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )

    def on_page(canvas: Canvas, _doc: Any) -> None:
        paint_header(canvas, setup)
        if page_block is not None:
            page_block.drawOn(canvas, MARGIN, page_h - HEADER_H - (block_h - BLOCK_GAP))

    doc = BaseDocTemplate(
        buffer,
        pagesize=(page_w, page_h),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=HEADER_H,
        bottomMargin=FOOTER_H,
        title=setup.title,
        author=setup.organisation,
        creator=CREATOR,
        pageCompression=1,
        pageTemplates=[PageTemplate(id="page", frames=[frame], onPage=on_page)],
    )
    doc.build(list(story), canvasmaker=_numbered_canvas(setup))
    return buffer.getvalue()
