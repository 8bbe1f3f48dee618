"""Printed forms of the storage area (R17, R21, R22, R26): 排架清单 and 档案保管交接清单.

Pure functions over plain dataclasses: the service (``app.services.locations.printing``) reads the
database, applies the reader's clearance and fills :class:`ShelfListSheet` /
:class:`HandoverForm`; this module lays them out on the standard A4 page
(``app.printing.page``). No titles are printed on either form: a volume's title names the
customer (personal data), and the 档号 identifies the volume well enough to shelve or count it.
ReportLab is loaded only when rendering.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from app.domain.catalogue import (
    MARKED_LEVELS,
    RETENTION_LABELS,
    SECRECY_LABELS,
    Retention,
    Secrecy,
    SecrecyLevel,
    strongest,
)

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

SHELF_LIST_TITLE = "排架清单"
HANDOVER_TITLE = "档案保管交接清单"
RESTRICTED = "受限"
NOT_CLASSIFIED = "—"
SHELF_COLUMNS = (
    "序号",
    "存放位置",
    "盒号",
    "档号",
    "年度",
    "保管期限",
    "密级",
    "件数/页数",
    "备注",
)
SHELF_COLUMN_MM = (10, 23, 16, 40, 11, 16, 19, 17, 22)  # 174 mm inside the 18 mm margins
HANDOVER_COLUMNS = ("序号", "位置", "盒号", "档号", "密级", "件数", "页数", "核对")
HANDOVER_COLUMN_MM = (11, 30, 20, 48, 22, 14, 15, 14)  # 174 mm
CHECK_BOX = "□"  # U+25A1: the bundled font has no ☐ (U+2610)
SECRECY_COLOUR = "#c00000"  # the same red as the page header's mark
SIGNERS = ("移交人", "接收人", "监交人")


@dataclass(frozen=True)
class ShelfListRow:
    """One row of a 排架清单: a volume where it stands, or a box with no volume in it.

    Attributes:
        location_code: the 层 or 位 the box (or the volume itself) stands in.
        box_code: 盒号 (empty for a volume kept directly in a place, e.g. in a safe's 层).
        reference_code: 档号 (empty for an empty box).
        year: 年度 (the volume's, or the box's for an empty box).
        retention: 保管期限.
        secrecy: the volume's classification (``Secrecy()`` when not classified).
        items / pages: 件数 and 页数 of the volume.
        remarks: 备注 written by the app (空盒, 借出, 应移入涉密柜 …), never typed free text.
        restricted: above the reader's clearance: only place, box and 档号 are printed.
        group: the face or cabinet the place belongs to (``A面（K1-01-A）``): a list over
            several prints one titled table each.
    """

    location_code: str
    box_code: str = ""
    reference_code: str = ""
    year: int | None = None
    retention: Retention | None = None
    secrecy: Secrecy = field(default_factory=Secrecy)
    items: int | None = None
    pages: int | None = None
    remarks: str = ""
    restricted: bool = False
    group: str = ""


@dataclass(frozen=True)
class ShelfListSheet:
    """A 排架清单 of one place (a room, a 密集架, a face, a cabinet, a 层 …) in walking order."""

    scope_code: str
    scope_name: str
    order_label: str
    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime
    rows: Sequence[ShelfListRow] = ()

    @property
    def box_count(self) -> int:
        """How many boxes the list shows."""
        return len({r.box_code for r in self.rows if r.box_code})

    @property
    def volume_count(self) -> int:
        """How many volumes the list shows."""
        return sum(1 for r in self.rows if r.reference_code)


@dataclass(frozen=True)
class HandoverFormLine:
    """One line of a hand-over list (位置, 盒号, 档号, 密级, 件数, 页数).

    ``restricted``: above the reader's clearance: place, box and 档号 only (密级 ``受限``).
    """

    location_code: str
    box_code: str
    reference_code: str
    secrecy_label: str
    items: int
    pages: int
    restricted: bool = False


@dataclass(frozen=True)
class HandoverForm:
    """A recorded custody hand-over as printed for the three to sign (R22, R26).

    ``secrecy_mark`` is the page header's mark (``机密★20年``) when a line is 机密/绝密.
    """

    handover_number: str
    handed_over_on: date
    from_name: str
    to_name: str
    witness: str
    places: Sequence[str]
    note: str
    organisation: str
    printed_by: str
    printed_by_username: str
    printed_at: datetime
    lines: Sequence[HandoverFormLine] = ()
    secrecy_mark: str = ""

    @property
    def totals(self) -> tuple[int, int, int, int]:
        """(boxes, volumes, 件数, 页数) of the whole list."""
        boxes = len({line.box_code for line in self.lines if line.box_code})
        volumes = sum(1 for line in self.lines if line.reference_code)
        return (
            boxes,
            volumes,
            sum(line.items for line in self.lines),
            sum(line.pages for line in self.lines),
        )


# --- pure helpers ---------------------------------------------------------------------------
def shelf_secrecy_text(row: ShelfListRow) -> str:
    """The 密级 cell: ``机密★20年``, ``秘密``, ``—`` or ``受限`` (the word, never colour alone)."""
    if row.restricted:
        return RESTRICTED
    if not row.reference_code:
        return ""
    return row.secrecy.marking() or NOT_CLASSIFIED


def counts_text(items: int | None, pages: int | None) -> str:
    """The 件数/页数 cell: ``3/12``; empty when unknown."""
    if items is None and pages is None:
        return ""
    return f"{items or 0}/{pages or 0}"


def shelf_row_values(seq: int, row: ShelfListRow) -> list[str]:
    """The nine cells of a shelf-list row, as printed."""
    if row.restricted:
        place = [str(seq), row.location_code, row.box_code, row.reference_code]
        return [*place, "", "", RESTRICTED, "", ""]
    retention = RETENTION_LABELS[row.retention] if row.retention else ""
    return [
        str(seq),
        row.location_code,
        row.box_code,
        row.reference_code,
        str(row.year) if row.year else "",
        retention,
        shelf_secrecy_text(row),
        counts_text(row.items, row.pages),
        row.remarks,
    ]


def shelf_list_mark(rows: Sequence[ShelfListRow]) -> str:
    """The header mark: the strongest 机密/绝密 among the rows the reader may see."""
    top = strongest([r.secrecy for r in rows if not r.restricted])
    return top.marking() if top.level in MARKED_LEVELS else ""


def level_of_label(label: str) -> SecrecyLevel | None:
    """``机密`` → the level (None for an empty or unknown label)."""
    for level, text in SECRECY_LABELS.items():
        if text == label:
            return level
    return None


def handover_number(handover_id: int) -> str:
    """``JJ000012``: the printed number of a hand-over record."""
    return f"JJ{handover_id:06d}"


def format_form_date(value: date | None) -> str:
    """``2026年1月5日``, empty when unknown."""
    return f"{value.year}年{value.month}月{value.day}日" if value is not None else ""


# --- rendering (ReportLab loads here) -------------------------------------------------------
_STYLE_CACHE: dict[str, Any] = {}
CELL_SIZE = 9.0
CELL_LEADING = 11.5
CELL_PAD = 3.0


def _styles() -> dict[str, Any]:
    if not _STYLE_CACHE:
        from reportlab.lib.styles import ParagraphStyle

        from app.printing.base import FONT, register_fonts

        register_fonts()
        _STYLE_CACHE.update(
            label=ParagraphStyle("loc_label", fontName=FONT, fontSize=10, leading=13),
            value=ParagraphStyle(
                "loc_value", fontName=FONT, fontSize=10, leading=13, wordWrap="CJK"
            ),
            body=ParagraphStyle(
                "loc_body", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK"
            ),
            group=ParagraphStyle("loc_group", fontName=FONT, fontSize=11, leading=15, spaceAfter=4),
        )
    return _STYLE_CACHE


_CHAR_WIDTHS: dict[str, float] = {}


def _char_width(char: str) -> float:
    width = _CHAR_WIDTHS.get(char)
    if width is None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        from app.printing.base import FONT

        width = _CHAR_WIDTHS[char] = stringWidth(char, FONT, CELL_SIZE)
    return width


def _fit(text: str, width: float) -> str:
    """Break a cell's text into lines that fit ``width`` (nothing is clipped)."""
    from app.printing.catalogue_forms import wrap_lines

    if len(text) * CELL_SIZE <= width:  # no glyph is wider than 1 em
        return text
    if "\n" not in text and sum(_char_width(c) for c in text) <= width:
        return text
    return "\n".join(wrap_lines(text, width, _char_width))


def _table_style(extra: Sequence[tuple[Any, ...]]) -> Any:
    from reportlab.platypus import TableStyle

    from app.printing.base import FONT

    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, CELL_SIZE, CELL_LEADING),
            ("FONT", (0, 0), (-1, 0), FONT, 9.5, CELL_LEADING),
            ("BACKGROUND", (0, 0), (-1, 0), "#e8e8e8"),
            ("GRID", (0, 0), (-1, -1), 0.5, "black"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            *extra,
        ]
    )


def _info_line(parts: Sequence[tuple[str, str]]) -> Flowable:
    """A one-line block ``标签：值　标签：值`` repeated under the page header."""
    from reportlab.platypus import Paragraph

    text = ("&nbsp;" * 6).join(f"{escape(k)}：{escape(v)}" for k, v in parts)
    return Paragraph(text, _styles()["value"])


def _shelf_table(rows: Sequence[ShelfListRow], first_seq: int) -> Flowable:
    """One table of consecutive rows (numbered from ``first_seq``), headings on every page.

    Each place's rows share one light or white band and start with a heavier rule; the style
    commands go by place, not by row, so a long table splits across pages cheaply.
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import Table

    widths = [w * mm for w in SHELF_COLUMN_MM]
    room = [w - 2 * CELL_PAD - 0.5 for w in widths]
    data: list[list[Any]] = [list(SHELF_COLUMNS)]
    extra: list[tuple[Any, ...]] = [
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (4, 1), (4, -1), "CENTER"),
        ("ALIGN", (6, 1), (7, -1), "CENTER"),
    ]
    runs: list[list[int]] = []  # [first, last] table row of each place
    for index, row in enumerate(rows, start=1):
        values = shelf_row_values(first_seq + index - 1, row)
        data.append([_fit(text, room[i]) for i, text in enumerate(values)])
        if runs and rows[index - 2].location_code == row.location_code:
            runs[-1][1] = index
        else:
            runs.append([index, index])
        if not row.restricted and row.secrecy.level is not None:
            extra.append(("TEXTCOLOR", (6, index), (6, index), SECRECY_COLOUR))
    for number, (first, last) in enumerate(runs):
        if number:
            extra.append(("LINEABOVE", (0, first), (-1, first), 1.2, "black"))
        if number % 2 == 0:
            extra.append(("BACKGROUND", (0, first), (-1, last), "#f4f4f4"))
    return Table(data, colWidths=widths, repeatRows=1, style=_table_style(extra))


def render_shelf_list(sheet: ShelfListSheet) -> bytes:
    """The 排架清单 as PDF: one row per volume in walking order, headings on every page.

    Empty boxes get a row of their own (备注 空盒); the 密级 cell of a classified row is red and
    says the level in words (R17). The header carries the 机密/绝密 mark when such a row is
    printed. A list over several faces or cabinets has one titled table per face or cabinet
    (numbering runs on), as the operator walks them.
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import CondPageBreak, Paragraph, Spacer

    from app.printing.page import PageSetup, render_document

    styles = _styles()  # also registers the font the cells are measured in
    groups: list[list[ShelfListRow]] = []
    for row in sheet.rows:
        if groups and groups[-1][0].group == row.group:
            groups[-1].append(row)
        else:
            groups.append([row])
    story: list[Any] = []
    seq = 1
    for number, group in enumerate(groups):
        if len(groups) > 1:
            if number:
                story.append(Spacer(1, 5 * mm))
            # a title never stands alone at the foot of a page (keepWithNext would move the
            # whole table to the next page instead)
            story.append(CondPageBreak(30 * mm))
            story.append(Paragraph(escape(group[0].group), styles["group"]))
        story.append(_shelf_table(group, seq))
        seq += len(group)
    if not sheet.rows:
        story.append(Paragraph("此处没有档案盒或案卷。", styles["body"]))
    story += [
        Spacer(1, 4 * mm),
        Paragraph(
            f"合计：{sheet.box_count} 个档案盒，{sheet.volume_count} 卷，共 {len(sheet.rows)} 行。"
            "题名不在清单上打印；“受限”行超出打印人的密级权限，只列档号。",
            styles["body"],
        ),
    ]
    setup = PageSetup(
        organisation=sheet.organisation,
        title=SHELF_LIST_TITLE,
        printed_by=sheet.printed_by,
        printed_by_username=sheet.printed_by_username,
        printed_at=sheet.printed_at,
        secrecy_mark=shelf_list_mark(sheet.rows),
    )
    scope = f"{sheet.scope_name}（{sheet.scope_code}）" if sheet.scope_name else sheet.scope_code
    block = _info_line(
        [
            ("范围", scope),
            ("排架顺序", sheet.order_label),
            ("合计", f"{sheet.box_count} 盒 {sheet.volume_count} 卷"),
        ]
    )
    return render_document(setup, story, page_block=block)


def _handover_details(form: HandoverForm) -> Flowable:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table

    from app.printing.base import FONT

    styles = _styles()
    label, value = styles["label"], styles["value"]

    def p(text: str) -> Any:
        return Paragraph(escape(text).replace("\n", "<br/>"), value)

    rows = [
        [
            Paragraph("移交人", label),
            p(form.from_name),
            Paragraph("接收人", label),
            p(form.to_name),
        ],
        [
            Paragraph("监交人", label),
            p(form.witness or "（无）"),
            Paragraph("交接日期", label),
            p(format_form_date(form.handed_over_on)),
        ],
        [Paragraph("交接位置", label), p("、".join(form.places)), "", ""],
        [Paragraph("说明", label), p(form.note or "（无）"), "", ""],
    ]
    table = Table(rows, colWidths=[w * mm for w in (20, 67, 20, 67)])
    table.setStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 10),
            ("SPAN", (1, 2), (-1, 2)),
            ("SPAN", (1, 3), (-1, 3)),
            ("GRID", (0, 0), (-1, -1), 0.6, "black"),
            ("BACKGROUND", (0, 0), (0, -1), "#f0f0f0"),
            ("BACKGROUND", (2, 0), (2, 1), "#f0f0f0"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )
    return table


def _signatures(form: HandoverForm) -> Flowable:
    from reportlab.lib.units import mm
    from reportlab.platypus import Table

    from app.printing.base import FONT

    names = (form.from_name, form.to_name, form.witness)
    rows = [
        [f"{who}：", name, "签字：", "", "日期：", ""]
        for who, name in zip(SIGNERS, names, strict=True)
    ]
    table = Table(
        rows,
        colWidths=[w * mm for w in (20, 34, 16, 50, 14, 40)],
        rowHeights=[12 * mm] * len(rows),
    )
    table.setStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 11),
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("ALIGN", (0, 0), (0, -1), "RIGHT"),
            ("ALIGN", (2, 0), (2, -1), "RIGHT"),
            ("ALIGN", (4, 0), (4, -1), "RIGHT"),
            ("LINEBELOW", (1, 0), (1, -1), 0.5, "black"),  # a missing 监交人 is written in
            ("LINEBELOW", (3, 0), (3, -1), 0.5, "black"),
            ("LINEBELOW", (5, 0), (5, -1), 0.5, "black"),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
    )
    return table


def render_handover(form: HandoverForm) -> bytes:
    """The 档案保管交接清单 as PDF: details, every line with a 核对 box, totals, signatures.

    The signature block (移交人, 接收人, 监交人, each with 签字 and 日期) is kept together and
    comes after the totals, so it is always on the last page.
    """
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

    from app.printing.page import PageSetup, render_document

    _styles()  # registers the font the cells are measured in
    widths = [w * mm for w in HANDOVER_COLUMN_MM]
    room = [w - 2 * CELL_PAD - 0.5 for w in widths]
    data: list[list[Any]] = [list(HANDOVER_COLUMNS)]
    extra: list[tuple[Any, ...]] = [
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (4, 1), (4, -1), "CENTER"),
        ("ALIGN", (5, 1), (6, -1), "RIGHT"),
        ("ALIGN", (7, 1), (7, -1), "CENTER"),
        ("FONTSIZE", (7, 1), (7, -1), 12),  # a check box big enough to tick
        ("LEADING", (7, 1), (7, -1), 13),
    ]
    for seq, line in enumerate(form.lines, start=1):
        secrecy = line.secrecy_label or (NOT_CLASSIFIED if line.reference_code else "")
        counts = ["", ""] if line.restricted else [str(line.items), str(line.pages)]
        values = [
            str(seq),
            line.location_code,
            line.box_code,
            line.reference_code or ("（空盒）" if line.box_code else ""),
            RESTRICTED if line.restricted else secrecy,
            *counts,
            CHECK_BOX,
        ]
        data.append([_fit(text, room[i]) for i, text in enumerate(values)])
        if line.secrecy_label and not line.restricted:
            extra.append(("TEXTCOLOR", (4, seq), (4, seq), SECRECY_COLOUR))
    boxes, volumes, items, pages = form.totals
    total_row = len(data)
    data.append(["合计", "", f"{boxes} 盒", f"{volumes} 卷", "", str(items), str(pages), ""])
    extra += [
        ("SPAN", (0, total_row), (1, total_row)),
        ("ALIGN", (0, total_row), (1, total_row), "CENTER"),
        ("BACKGROUND", (0, total_row), (-1, total_row), "#f0f0f0"),
        ("LINEABOVE", (0, total_row), (-1, total_row), 1.2, "black"),
    ]
    lines = Table(data, colWidths=widths, repeatRows=1, style=_table_style(extra))
    body = _styles()["body"]
    closing = Paragraph(
        f"以上共 {boxes} 个档案盒、{volumes} 卷，合计 {items} 件、{pages} 页，"
        "经交接双方逐项核对无误（核对一栏逐行打 ✓）。本清单一式两份，移交人、接收人各执一份。",
        body,
    )
    story = [
        _handover_details(form),
        Spacer(1, 4 * mm),
        lines,
        Spacer(1, 5 * mm),
        KeepTogether([closing, Spacer(1, 2 * mm), _signatures(form)]),
    ]
    setup = PageSetup(
        organisation=form.organisation,
        title=HANDOVER_TITLE,
        printed_by=form.printed_by,
        printed_by_username=form.printed_by_username,
        printed_at=form.printed_at,
        secrecy_mark=form.secrecy_mark,
    )
    block = _info_line(
        [
            ("交接编号", form.handover_number),
            ("交接日期", format_form_date(form.handed_over_on)),
            ("移交人", form.from_name),
            ("接收人", form.to_name),
        ]
    )
    return render_document(setup, story, page_block=block)
