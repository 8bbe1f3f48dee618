"""The volume's printed forms (R10, R17): 卷内目录 and 卷内备考表.

Pure functions over plain dataclasses: the caller (a service that already applied the access
checks) fills :class:`VolumeCatalogueSheet` / :class:`VolumeNoteSheet` and gets PDF bytes back.
This module imports no ReportLab at import time, so services may use the DTOs and
:func:`check_note_sheet` without loading it; the render functions load it when printing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from app.domain.catalogue import (
    MARKED_LEVELS,
    RETENTION_LABELS,
    Retention,
    Secrecy,
    strongest,
)
from app.errors import FieldError, ValidationFailed
from app.printing.tables import CELL_PAD, CELL_SIZE, signature_table, table_style

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

CATALOGUE_TITLE = "卷内目录"
NOTE_SHEET_TITLE = "卷内备考表"
RESTRICTED_TITLE = "受限"
COLUMNS = ("序号", "文号", "责任者", "题名", "日期", "页号", "备注")
COLUMN_MM = (10, 31, 26, 52, 18, 14, 23)  # 174 mm: the A4 width inside the 18 mm margins
# Notes that say nothing: after removing blanks and punctuation (R10: 本卷情况说明 not empty).
EMPTY_NOTES = frozenset({"", "无", "暂无", "没有", "空", "略", "na", "n/a", "none"})
_PUNCTUATION = re.compile(r"[\s。．.，,、;；:：!！?？\-—–_/\\()（）\[\]【】\"'“”‘’]+")
_STRUCK = re.compile(r"~~(.+?)~~")


@dataclass(frozen=True)
class ItemLine:
    """One row of the 卷内目录: an item (件) of the volume.

    Attributes:
        seq: 序号.
        doc_number: 文号.
        author: 责任者.
        title: 题名.
        date: the document's date, printed ``YYYYMMDD``.
        page_from: first page inside the volume (页号).
        page_to: last page (printed ``5-8``; a single page prints ``5``).
        remarks: 备注 (the index's 备注栏, marking first; ``~~x~~`` prints struck through).
        secrecy: the item's classification (its marking is printed in 备注 when missing).
        restricted: the reader may not see this item (R5 access): only 序号 and ``受限``.
    """

    seq: int
    doc_number: str
    author: str
    title: str
    date: date | None = None
    page_from: int | None = None
    page_to: int | None = None
    remarks: str = ""
    secrecy: Secrecy = field(default_factory=Secrecy)
    restricted: bool = False


@dataclass(frozen=True)
class VolumeHeading:
    """What every form of a volume heads its pages with, and who prints it when.

    ``secrecy`` is the volume's current classification (``Secrecy()`` once declassified).
    """

    reference_code: str
    title: str
    retention: Retention
    secrecy: Secrecy
    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime


@dataclass(frozen=True)
class VolumeCatalogueSheet(VolumeHeading):
    """A volume's 卷内目录: its header block, the rows, and who prints it when."""

    items: Sequence[ItemLine] = ()


@dataclass(frozen=True)
class VolumeNoteSheet(VolumeHeading):
    """A volume's 卷内备考表.

    Attributes:
        notes: 本卷情况说明 (must say something: not empty, not ``无``).
        compiled_by: 立卷人. checked_by: 检查人. compiled_on: 立卷时间.
        item_count / page_count: printed as the first line of the notes box.
        latest_item_date: the latest date among the volume's items (立卷时间 may not precede it).
    """

    notes: str
    compiled_by: str
    checked_by: str
    compiled_on: date | None
    item_count: int = 0
    page_count: int = 0
    latest_item_date: date | None = None


# --- pure helpers ------------------------------------------------------------------------
def format_item_date(value: date | None) -> str:
    """``20260105`` (the 卷内目录's date format), empty when unknown."""
    return value.strftime("%Y%m%d") if value is not None else ""


def format_pages(page_from: int | None, page_to: int | None) -> str:
    """``1-4`` for a range, ``5`` for a single page, empty when unknown."""
    if page_from is None:
        return "" if page_to is None else str(page_to)
    if page_to is None or page_to == page_from:
        return str(page_from)
    return f"{page_from}-{page_to}"


def format_form_date(value: date | None) -> str:
    """``2026年1月5日`` as written on the signature lines."""
    return f"{value.year}年{value.month}月{value.day}日" if value is not None else ""


def secrecy_text(secrecy: Secrecy) -> str:
    """The 密级 cell: ``机密★20年``, ``秘密`` or ``—`` when not classified."""
    return secrecy.marking() or "—"


def item_remarks(item: ItemLine) -> str:
    """The 备注 cell: the remarks with the item's marking as the first line (R15, R17)."""
    mark = item.secrecy.marking() if item.secrecy.level in MARKED_LEVELS else ""
    if mark and not item.remarks.startswith(mark):
        return f"{mark}\n{item.remarks}" if item.remarks else mark
    return item.remarks


def document_mark(volume: Secrecy, items: Sequence[ItemLine] = ()) -> str:
    """The header's secrecy mark: the strongest 机密/绝密 among the volume and its rows."""
    top = strongest([volume, *(item.secrecy for item in items)])
    return top.marking() if top.level in MARKED_LEVELS else ""


def check_note_sheet(
    *,
    notes: str,
    compiled_by: str,
    checked_by: str,
    compiled_on: date | None,
    latest_item_date: date | None,
) -> list[FieldError]:
    """The 卷内备考表's rules (R10): what is wrong, one error per field (empty when fine)."""
    errors: list[FieldError] = []
    if _PUNCTUATION.sub("", notes).lower() in EMPTY_NOTES:
        errors.append(FieldError("notes", "notes_empty"))
    if not compiled_by.strip():
        errors.append(FieldError("compiled_by", "required"))
    if not checked_by.strip():
        errors.append(FieldError("checked_by", "required"))
    if compiled_on is None:
        errors.append(FieldError("compiled_on", "required"))
    elif latest_item_date is not None and compiled_on < latest_item_date:
        errors.append(
            FieldError(
                "compiled_on", "before_latest_item", {"latest": latest_item_date.isoformat()}
            )
        )
    return errors


def validate_note_sheet(sheet: VolumeNoteSheet) -> None:
    """Raise :class:`ValidationFailed` when the 备考表 breaks a rule of :func:`check_note_sheet`."""
    errors = check_note_sheet(
        notes=sheet.notes,
        compiled_by=sheet.compiled_by,
        checked_by=sheet.checked_by,
        compiled_on=sheet.compiled_on,
        latest_item_date=sheet.latest_item_date,
    )
    if errors:
        raise ValidationFailed(errors)


def _markup(text: str) -> str:
    """Plain text to Paragraph markup: escaped, line breaks kept, ``~~x~~`` struck through."""
    return _STRUCK.sub(r"<strike>\1</strike>", escape(text)).replace("\n", "<br/>")


# --- rendering (ReportLab loads here) ------------------------------------------------------
def _render(sheet: VolumeHeading, title: str, story: list[Any], mark: str) -> bytes:
    """One form of a volume: its pages with the print footer and the heading block on each."""
    from app.printing.page import PageSetup, render_document

    setup = PageSetup.of(sheet, title, mark)
    block = _heading_block(sheet.reference_code, sheet.title, sheet.retention, sheet.secrecy)
    return render_document(setup, story, page_block=block)


def _heading_block(
    reference_code: str, title: str, retention: Retention, secrecy: Secrecy
) -> Flowable:
    """The 档号 / 保管期限 / 密级 / 案卷题名 block repeated at the top of every page."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table, TableStyle

    from app.printing.base import FONT

    styles = _styles()
    label = styles["label"]
    value = styles["value"]
    mark = secrecy.level is not None
    rows = [
        [
            Paragraph("档号", label),
            Paragraph(_markup(reference_code), value),
            Paragraph("保管期限", label),
            Paragraph(RETENTION_LABELS[retention], value),
            Paragraph("密级", label),
            Paragraph(_markup(secrecy_text(secrecy)), styles["secrecy" if mark else "value"]),
        ],
        [Paragraph("案卷题名", label), Paragraph(_markup(title), value), "", "", "", ""],
    ]
    table = Table(rows, colWidths=[w * mm for w in (20, 56, 20, 22, 14, 42)])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 10),
                ("SPAN", (1, 1), (-1, 1)),
                ("GRID", (0, 0), (-1, -1), 0.6, "black"),
                ("BACKGROUND", (0, 0), (0, -1), "#f0f0f0"),
                ("BACKGROUND", (2, 0), (2, 0), "#f0f0f0"),
                ("BACKGROUND", (4, 0), (4, 0), "#f0f0f0"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


_STYLE_CACHE: dict[str, Any] = {}


def _styles() -> dict[str, Any]:
    """Paragraph styles of the forms (CJK wrapping: a line may break between any characters)."""
    if not _STYLE_CACHE:
        from reportlab.lib.enums import TA_CENTER
        from reportlab.lib.styles import ParagraphStyle

        from app.printing.base import FONT, cjk_style, register_fonts

        register_fonts()
        cell = cjk_style("cell", 9, 11.5)
        _STYLE_CACHE.update(
            cell=cell,
            cell_centre=ParagraphStyle("cell_centre", parent=cell, alignment=TA_CENTER),
            label=ParagraphStyle(
                "label", fontName=FONT, fontSize=10, leading=13, alignment=TA_CENTER
            ),
            value=cjk_style("value", 10, 13),
            secrecy=ParagraphStyle(
                "secrecy", fontName=FONT, fontSize=10, leading=13, textColor="#c00000"
            ),
            body=cjk_style("body", 11, 18),
            heading=ParagraphStyle("heading", fontName=FONT, fontSize=12, leading=16),
        )
    return _STYLE_CACHE


# Characters that may not begin a line (Chinese line-breaking rules, 避头点).
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’,.;:?!)]}%")
_WORD = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_./")


def _is_word(char: str) -> bool:
    return char in _WORD


def wrap_lines(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Break ``text`` into lines no wider than ``width``.

    Chinese text may break between any two characters; a run of Latin letters and digits
    (``2025``, ``HT-0012``) moves to the next line whole when it fits there; closing
    punctuation never starts a line (the character before it moves down with it). Existing
    line breaks are kept.
    """
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for char in paragraph:
            w = measure(char)
            if line and used + w > width:
                keep = len(line)
                if _is_word(char):
                    while keep > 0 and _is_word(line[keep - 1]):
                        keep -= 1
                elif char in NO_LINE_START:
                    keep -= 1
                if keep <= 0:  # one run longer than the line: break it where it is full
                    keep = len(line)
                carried = line[keep:]
                lines.append("".join(line[:keep]).rstrip())
                line = carried if carried or not char.isspace() else []
                used = sum(measure(c) for c in line)
                if not line and char.isspace():
                    continue
            line.append(char)
            used += w
        lines.append("".join(line).rstrip())
    return lines


def render_volume_catalogue(sheet: VolumeCatalogueSheet) -> bytes:
    """The 卷内目录 as PDF: header block and column headings repeated on every page.

    Long cell text is broken into lines that fit the column (see :func:`wrap_lines`) and drawn
    as a plain multi-line cell: nothing is clipped, and no paragraph has to be laid out again
    at every page break (a struck-through marking is the one case that needs a paragraph).
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table

    from app.printing.base import char_width

    styles = _styles()
    widths = [w * mm for w in COLUMN_MM]
    room = [w - 2 * CELL_PAD - 0.5 for w in widths]
    centred = {0, 4, 5}

    def measure(char: str) -> float:
        return char_width(char, CELL_SIZE)

    def cell(text: str, column: int) -> Any:
        if "~~" in text:
            style = styles["cell_centre"] if column in centred else styles["cell"]
            return Paragraph(_markup(text), style)
        if len(text) * CELL_SIZE <= room[column]:  # no glyph is wider than 1 em
            return text
        return "\n".join(wrap_lines(text, room[column], measure))

    data: list[list[Any]] = [list(COLUMNS)]
    for item in sheet.items:
        remarks = item_remarks(item)
        if item.restricted:
            values = [str(item.seq), "", "", RESTRICTED_TITLE, "", "", remarks]
        else:
            values = [
                str(item.seq),
                item.doc_number,
                item.author,
                item.title,
                format_item_date(item.date),
                format_pages(item.page_from, item.page_to),
                remarks,
            ]
        data.append([cell(text, column) for column, text in enumerate(values)])
    table = Table(data, colWidths=widths, repeatRows=1)
    centre_columns = [("ALIGN", (0, 1), (0, -1), "CENTER"), ("ALIGN", (4, 1), (5, -1), "CENTER")]
    table.setStyle(table_style(centre_columns))
    return _render(sheet, CATALOGUE_TITLE, [table], document_mark(sheet.secrecy, sheet.items))


def render_volume_note_sheet(sheet: VolumeNoteSheet) -> bytes:
    """The 卷内备考表 as PDF; raises :class:`ValidationFailed` first when a rule is broken."""
    validate_note_sheet(sheet)
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from app.printing.page import FRAME_W

    styles = _styles()
    body = styles["body"]
    lines = [f"本卷共有文件 {sheet.item_count} 件，共 {sheet.page_count} 页。"]
    lines += [line for line in sheet.notes.strip().splitlines() if line.strip()]
    rows: list[list[Any]] = [[Paragraph(_markup(line), body)] for line in lines]
    used = sum(p[0].wrap(FRAME_W - 16, 10_000)[1] + 2 for p in rows)
    rows.append([Spacer(1, max(6 * mm, 120 * mm - used))])  # a box of at least 12 cm
    notes_box = Table(rows, colWidths=[FRAME_W])
    notes_box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, "black"),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, 0), 6),
            ]
        )
    )
    signature_rows = [
        ["立卷人：", sheet.compiled_by, "签字：", "", "日期：", ""],
        ["检查人：", sheet.checked_by, "签字：", "", "日期：", ""],
        ["立卷时间：", format_form_date(sheet.compiled_on), "", "", "", ""],
    ]
    signatures = signature_table(signature_rows, (22, 40, 14, 44, 14, 40), signed_rows=2)
    story = [
        Paragraph("本卷情况说明", styles["heading"]),
        Spacer(1, 2 * mm),
        notes_box,
        Spacer(1, 8 * mm),
        signatures,
    ]
    return _render(sheet, NOTE_SHEET_TITLE, story, document_mark(sheet.secrecy))
