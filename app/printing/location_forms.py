"""Printed forms of the storage area (R17, R21, R22, R26): 排架清单 and 档案保管交接清单.

Pure functions over plain dataclasses: the service (``app.services.locations.printing``) reads
the database, applies the reader's clearance and fills :class:`ShelfListSheet` /
:class:`HandoverForm`; this module lays out the shelf list on the standard A4 page
(``app.printing.page``) and holds the table helpers that ``app.printing.handover_form`` lays
out the hand-over list with. No titles are printed on either form: a volume's title names the
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
from app.domain.locations import HandoverLine
from app.printing.tables import CELL_PAD, CELL_SIZE, table_style

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

SHELF_LIST_TITLE = "排架清单"
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
SECRECY_COLOUR = "#c00000"  # the same red as the page header's mark


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


HandoverFormLine = HandoverLine  # the printed line is the recorded one (app.domain.locations)


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


# --- rendering (ReportLab loads here) -------------------------------------------------------
_STYLE_CACHE: dict[str, Any] = {}


def form_styles() -> dict[str, Any]:
    """Paragraph styles of the storage forms (registers the font on first use)."""
    if not _STYLE_CACHE:
        from reportlab.lib.styles import ParagraphStyle

        from app.printing.base import FONT, cjk_style, register_fonts

        register_fonts()
        _STYLE_CACHE.update(
            label=ParagraphStyle("loc_label", fontName=FONT, fontSize=10, leading=13),
            value=cjk_style("loc_value", 10, 13),
            body=cjk_style("loc_body", 10.5, 16),
            group=ParagraphStyle("loc_group", fontName=FONT, fontSize=11, leading=15, spaceAfter=4),
        )
    return _STYLE_CACHE


def _char_width(char: str) -> float:
    from app.printing.base import char_width

    return char_width(char, CELL_SIZE)


def fit_cell(text: str, width: float) -> str:
    """Break a cell's text into lines that fit ``width`` (nothing is clipped)."""
    from app.printing.catalogue_forms import wrap_lines

    if len(text) * CELL_SIZE <= width:  # no glyph is wider than 1 em
        return text
    if "\n" not in text and sum(_char_width(c) for c in text) <= width:
        return text
    return "\n".join(wrap_lines(text, width, _char_width))


def info_line(parts: Sequence[tuple[str, str]]) -> Flowable:
    """A one-line block ``标签：值　标签：值`` repeated under the page header."""
    from reportlab.platypus import Paragraph

    text = ("&nbsp;" * 6).join(f"{escape(k)}：{escape(v)}" for k, v in parts)
    return Paragraph(text, form_styles()["value"])


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
        data.append([fit_cell(text, room[i]) for i, text in enumerate(values)])
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
    return Table(data, colWidths=widths, repeatRows=1, style=table_style(extra))


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

    styles = form_styles()  # also registers the font the cells are measured in
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
    setup = PageSetup.of(sheet, SHELF_LIST_TITLE, shelf_list_mark(sheet.rows))
    scope = f"{sheet.scope_name}（{sheet.scope_code}）" if sheet.scope_name else sheet.scope_code
    block = info_line(
        [
            ("范围", scope),
            ("排架顺序", sheet.order_label),
            ("合计", f"{sheet.box_count} 盒 {sheet.volume_count} 卷"),
        ]
    )
    return render_document(setup, story, page_block=block)
