"""Label stocks (R24): sheet geometry in millimetres, validation, built-in stocks, start position.

A stock is a page (sheet or one label of a roll) holding ``rows × columns`` labels of one size,
placed from the top-left corner: ``left_margin`` and ``top_margin`` to the first label, then
``gap_x`` between columns and ``gap_y`` between rows. Positions are numbered row by row, left
to right then top to bottom (index 0 is the top-left label), the order in which a half-used
sheet is used up.

Built-in stocks and where their sizes come from:

* A4 3 × 8, 70 × 37 mm: the common 24-up address-label sheet (e.g. Avery 3474, 得力/齐心
  equivalents): labels edge to edge, 0.5 mm top margin, no side margin.
* A4 2 × 7, 99.1 × 38.1 mm: 14-up sheet (Avery L7163 datasheet: top 15.15 mm, left 4.65 mm,
  2.5 mm between columns, rounded corners).
* A4 4 × 10, 48.5 × 25.4 mm: 40-up sheet (Avery 3657 datasheet: top 21.5 mm, left 8 mm, no gaps).
* A4 档案盒脊背 strips 20/30/40/50 mm wide and 270 mm tall: DA/T 22-2015 (归档文件整理规则) gives
  the 档案盒 as 310 × 220 mm with a spine (盒脊) of 20, 30, 40 or 50 mm; an A4 page holds a
  strip of 270 mm, cut along the outlines and stuck on the spine.
* Thermal roll 60 × 40 mm and 50 × 30 mm, one label per page: the usual die-cut sizes of
  desktop thermal label printers (the driver's paper is set to the label size).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

from app.errors import FieldError, ValidationFailed

A4_W_MM = 210.0
A4_H_MM = 297.0
FIT_TOLERANCE_MM = 0.05  # rounding of datasheet figures (99.1 mm labels on a 210 mm sheet)
NAME_MAX = 40
PAGE_RANGE_MM = (20.0, 1000.0)
LABEL_MIN_MM = 15.0  # below this the QR code (≥ 0.33 mm modules) and the text do not fit
GRID_MAX = 30
USER_KEY_PREFIX = "user:"
NUMBER_FIELDS = (
    "page_width",
    "page_height",
    "label_width",
    "label_height",
    "top_margin",
    "left_margin",
    "gap_x",
    "gap_y",
    "corner_radius",
)


@dataclass(frozen=True)
class LabelStock:
    """One label stock; lengths in millimetres.

    Attributes:
        key: stable identifier (``a4-3x8`` for a built-in one, ``user:<n>`` for a user's).
        name: what the stock list shows.
        page_width / page_height: the page (a sheet, or one label of a roll).
        label_width / label_height: one label.
        rows / columns: labels per page down and across.
        top_margin / left_margin: page edge to the first label.
        gap_x: between two columns. gap_y: between two rows.
        corner_radius: of die-cut labels (drawn on the calibration page; 0 for square).
        cut_lines: print each label's outline too (plain or full-sheet stock that is cut).
        builtin: shipped with the program (cannot be edited or deleted).
    """

    key: str
    name: str
    page_width: float
    page_height: float
    label_width: float
    label_height: float
    rows: int
    columns: int
    top_margin: float = 0.0
    left_margin: float = 0.0
    gap_x: float = 0.0
    gap_y: float = 0.0
    corner_radius: float = 0.0
    cut_lines: bool = False
    builtin: bool = False

    @property
    def per_page(self) -> int:
        """How many labels one page holds."""
        return self.rows * self.columns

    def cell(self, index: int) -> tuple[int, int]:
        """(row, column), both 0-based, of position ``index`` on a page."""
        return divmod(index, self.columns)

    def origin(self, index: int) -> tuple[float, float]:
        """(x, y) in mm of the top-left corner of position ``index``, from the page's top left."""
        row, column = self.cell(index)
        x = self.left_margin + column * (self.label_width + self.gap_x)
        y = self.top_margin + row * (self.label_height + self.gap_y)
        return x, y

    @property
    def description(self) -> str:
        """``A4 纸 210 × 297 mm，3 列 × 8 行，标签 70 × 37 mm``."""
        return (
            f"纸张 {_mm(self.page_width)} × {_mm(self.page_height)} mm，"
            f"{self.columns} 列 × {self.rows} 行，"
            f"标签 {_mm(self.label_width)} × {_mm(self.label_height)} mm"
        )

    def to_record(self) -> dict[str, Any]:
        """The stock as stored in the settings table (JSON)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "builtin"}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> LabelStock:
        """A user stock from its settings record (unknown keys ignored)."""
        names = {f.name for f in fields(cls)} - {"builtin"}
        return cls(**{k: v for k, v in record.items() if k in names})


def _mm(value: float) -> str:
    """``70`` or ``99.1``: a length without trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _a4(key: str, name: str, **geometry: Any) -> LabelStock:
    return LabelStock(
        key=key, name=name, page_width=A4_W_MM, page_height=A4_H_MM, builtin=True, **geometry
    )


def _spine(width: int, columns: int) -> LabelStock:
    """``columns`` strips of ``width`` × 270 mm, centred on an A4 page."""
    left = (A4_W_MM - columns * width) / 2
    return _a4(
        f"a4-spine-{width}",
        f"A4 档案盒脊背条 {width}×270 mm（{width} mm 盒脊，{columns} 条/页）",
        label_width=float(width),
        label_height=270.0,
        rows=1,
        columns=columns,
        top_margin=13.5,
        left_margin=left,
        cut_lines=True,
    )


def _roll(width: int, height: int) -> LabelStock:
    return LabelStock(
        key=f"roll-{width}x{height}",
        name=f"热敏标签卷 {width}×{height} mm（每页 1 张）",
        page_width=float(width),
        page_height=float(height),
        label_width=float(width),
        label_height=float(height),
        rows=1,
        columns=1,
        corner_radius=2.0,
        builtin=True,
    )


BUILTIN_STOCKS: tuple[LabelStock, ...] = (
    _a4(
        "a4-3x8",
        "A4 3×8 标签 70×37 mm（24 张/页）",
        label_width=70.0,
        label_height=37.0,
        rows=8,
        columns=3,
        top_margin=0.5,
    ),
    _a4(
        "a4-2x7",
        "A4 2×7 标签 99.1×38.1 mm（14 张/页）",
        label_width=99.1,
        label_height=38.1,
        rows=7,
        columns=2,
        top_margin=15.15,
        left_margin=4.65,
        gap_x=2.5,
        corner_radius=2.5,
    ),
    _a4(
        "a4-4x10",
        "A4 4×10 标签 48.5×25.4 mm（40 张/页）",
        label_width=48.5,
        label_height=25.4,
        rows=10,
        columns=4,
        top_margin=21.5,
        left_margin=8.0,
    ),
    _spine(20, 9),
    _spine(30, 6),
    _spine(40, 5),
    _spine(50, 4),
    _roll(60, 40),
    _roll(50, 30),
)
BUILTIN_KEYS = frozenset(s.key for s in BUILTIN_STOCKS)


def builtin_stock(key: str) -> LabelStock | None:
    """The built-in stock ``key``, or None."""
    return next((s for s in BUILTIN_STOCKS if s.key == key), None)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_stock(stock: LabelStock) -> list[FieldError]:
    """Every problem with ``stock``'s geometry and name (empty when it can be used)."""
    errors: list[FieldError] = []
    name = stock.name.strip()
    if not name:
        errors.append(FieldError("stock_name", "required"))
    elif len(name) > NAME_MAX:
        errors.append(FieldError("stock_name", "too_long", {"max": NAME_MAX}))
    numeric: set[str] = set()
    for field in NUMBER_FIELDS:
        value = getattr(stock, field)
        if not _is_number(value):
            errors.append(FieldError(f"stock_{field}", "number"))
        else:
            numeric.add(field)
    for field in ("rows", "columns"):
        value = getattr(stock, field)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= GRID_MAX:
            errors.append(FieldError(f"stock_{field}", "range", {"min": 1, "max": GRID_MAX}))
    low, high = PAGE_RANGE_MM
    for field in ("page_width", "page_height"):
        if field in numeric and not low <= getattr(stock, field) <= high:
            errors.append(
                FieldError(f"stock_{field}", "mm_range", {"min": _mm(low), "max": _mm(high)})
            )
    for field in ("label_width", "label_height"):
        if field in numeric and getattr(stock, field) < LABEL_MIN_MM:
            errors.append(FieldError(f"stock_{field}", "mm_at_least", {"min": _mm(LABEL_MIN_MM)}))
    for field in ("top_margin", "left_margin", "gap_x", "gap_y", "corner_radius"):
        if field in numeric and getattr(stock, field) < 0:
            errors.append(FieldError(f"stock_{field}", "mm_at_least", {"min": "0"}))
    if not errors and stock.corner_radius > min(stock.label_width, stock.label_height) / 2:
        errors.append(FieldError("stock_corner_radius", "corner_too_large"))
    if errors:
        return errors
    need_w = stock.left_margin + stock.columns * (stock.label_width + stock.gap_x) - stock.gap_x
    need_h = stock.top_margin + stock.rows * (stock.label_height + stock.gap_y) - stock.gap_y
    # (field, reason, the labels' extent with the margin, the page's) across, then down
    fits = (
        ("stock_label_width", "too_wide_for_page", need_w, stock.page_width),
        ("stock_label_height", "too_tall_for_page", need_h, stock.page_height),
    )
    for field, reason, need, page in fits:
        if need > page + FIT_TOLERANCE_MM:
            errors.append(FieldError(field, reason, {"need": _mm(need), "page": _mm(page)}))
    return errors


def validate_stock(stock: LabelStock) -> LabelStock:
    """Return ``stock`` with its name trimmed; raises ValidationFailed naming each bad field."""
    errors = check_stock(stock)
    if errors:
        raise ValidationFailed(errors)
    return replace(stock, name=stock.name.strip())


def start_index(stock: LabelStock, row: int, column: int) -> int:
    """The position index of (row, column), both counted from 1 as the sheet diagram shows.

    Raises ValidationFailed when the cell is not on the stock.
    """
    errors: list[FieldError] = []
    if not 1 <= row <= stock.rows:
        errors.append(FieldError("start_row", "range", {"min": 1, "max": stock.rows}))
    if not 1 <= column <= stock.columns:
        errors.append(FieldError("start_column", "range", {"min": 1, "max": stock.columns}))
    if errors:
        raise ValidationFailed(errors)
    return (row - 1) * stock.columns + (column - 1)


def check_start(stock: LabelStock, index: int) -> None:
    """Refuse a start position that is not on the page (ValidationFailed on ``start``)."""
    if not 0 <= index < stock.per_page:
        raise ValidationFailed(
            [FieldError("start_position", "range", {"min": 1, "max": stock.per_page})]
        )
