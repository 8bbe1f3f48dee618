"""Label stock geometry (R24): validation naming the field, built-in stocks, start positions."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.domain.label_stock import (
    BUILTIN_STOCKS,
    LabelStock,
    builtin_stock,
    check_start,
    check_stock,
    start_index,
    validate_stock,
)
from app.errors import FieldError, ValidationFailed
from app.messages import describe, describe_field_error

SHEET = LabelStock(
    key="",
    name="自定义 3×8",
    page_width=210,
    page_height=297,
    label_width=70,
    label_height=37,
    rows=8,
    columns=3,
    top_margin=0.5,
)


def reasons(stock: LabelStock) -> list[tuple[str, str]]:
    return [(e.field, e.reason) for e in check_stock(stock)]


def test_every_built_in_stock_is_valid_and_fits_its_page() -> None:
    keys = [s.key for s in BUILTIN_STOCKS]
    assert len(keys) == len(set(keys))
    for stock in BUILTIN_STOCKS:
        assert check_stock(stock) == [], stock.key
        assert stock.builtin
        x, y = stock.origin(stock.per_page - 1)
        assert x + stock.label_width <= stock.page_width + 0.05
        assert y + stock.label_height <= stock.page_height + 0.05


def test_built_in_stocks_cover_sheets_spine_strips_and_a_thermal_roll() -> None:
    a4_3x8 = builtin_stock("a4-3x8")
    assert a4_3x8 is not None and (a4_3x8.columns, a4_3x8.rows, a4_3x8.per_page) == (3, 8, 24)
    a4_2x7 = builtin_stock("a4-2x7")
    assert a4_2x7 is not None and (a4_2x7.label_width, a4_2x7.label_height) == (99.1, 38.1)
    a4_4x10 = builtin_stock("a4-4x10")
    assert a4_4x10 is not None and a4_4x10.per_page == 40
    spine = builtin_stock("a4-spine-40")
    assert spine is not None and spine.label_height > 5 * spine.label_width and spine.cut_lines
    roll = builtin_stock("roll-60x40")
    assert roll is not None and (roll.page_width, roll.page_height, roll.per_page) == (60, 40, 1)


def test_positions_run_left_to_right_then_top_to_bottom() -> None:
    stock = builtin_stock("a4-2x7")
    assert stock is not None
    assert stock.cell(0) == (0, 0) and stock.cell(1) == (0, 1) and stock.cell(2) == (1, 0)
    assert stock.origin(0) == (4.65, 15.15)
    x, y = stock.origin(3)  # second row, second column
    assert x == pytest.approx(4.65 + 99.1 + 2.5) and y == pytest.approx(15.15 + 38.1)


def test_labels_wider_than_the_page_are_refused_on_the_label_width_with_the_sums() -> None:
    errors = check_stock(replace(SHEET, label_width=71))
    assert errors == [
        FieldError("stock_label_width", "too_wide_for_page", {"need": "213", "page": "210"})
    ]
    assert describe_field_error(errors[0]) == (
        "标签宽：标签排不下：左边距 + 各列标签宽 + 列间距共 213 毫米，超过纸宽 210 毫米"
    )


def test_margins_and_gaps_count_towards_the_fit() -> None:
    assert reasons(replace(SHEET, left_margin=1)) == [("stock_label_width", "too_wide_for_page")]
    assert reasons(replace(SHEET, gap_y=0.1)) == [("stock_label_height", "too_tall_for_page")]
    assert reasons(replace(SHEET, rows=9)) == [("stock_label_height", "too_tall_for_page")]
    assert reasons(replace(SHEET, top_margin=0.5 + 0.05)) == []  # datasheet rounding tolerated


def test_each_bad_number_is_named() -> None:
    bad = replace(
        SHEET,
        name=" ",
        rows=0,
        columns=31,
    )
    assert reasons(bad) == [
        ("stock_name", "required"),
        ("stock_rows", "range"),
        ("stock_columns", "range"),
    ]
    odd = replace(SHEET, page_width=10, label_height=5, top_margin=-1, gap_x=-2)
    assert reasons(odd) == [
        ("stock_page_width", "mm_range"),
        ("stock_label_height", "mm_at_least"),
        ("stock_top_margin", "mm_at_least"),
        ("stock_gap_x", "mm_at_least"),
    ]
    assert reasons(replace(SHEET, corner_radius=19)) == [
        ("stock_corner_radius", "corner_too_large")
    ]
    assert reasons(replace(SHEET, label_width=float("nan"))) == [("stock_label_width", "number")]
    assert reasons(replace(SHEET, name="长" * 41)) == [("stock_name", "too_long")]


def test_validation_failure_message_lists_every_field_in_chinese() -> None:
    with pytest.raises(ValidationFailed) as failed:
        validate_stock(replace(SHEET, rows=0, page_height=2000))
    message = describe(failed.value)
    assert "行数：应在 1 到 30 之间" in message
    assert "纸高：应在 20 到 1000 毫米之间" in message


def test_validated_stock_has_its_name_trimmed() -> None:
    assert validate_stock(replace(SHEET, name="  自定义  ")).name == "自定义"


def test_user_stock_record_round_trips_without_the_builtin_flag() -> None:
    stock = replace(SHEET, key="user:3", corner_radius=2, cut_lines=True)
    record = stock.to_record()
    assert "builtin" not in record
    assert LabelStock.from_record({**record, "future_field": 1}) == stock


def test_start_position_from_row_and_column_counted_from_one() -> None:
    assert start_index(SHEET, 1, 1) == 0
    assert start_index(SHEET, 3, 2) == 7
    assert start_index(SHEET, 8, 3) == 23
    with pytest.raises(ValidationFailed) as off:
        start_index(SHEET, 9, 4)
    assert [(e.field, e.params["max"]) for e in off.value.errors] == [
        ("start_row", 8),
        ("start_column", 3),
    ]
    check_start(SHEET, 23)
    with pytest.raises(ValidationFailed):
        check_start(SHEET, 24)
    with pytest.raises(ValidationFailed):
        check_start(SHEET, -1)
