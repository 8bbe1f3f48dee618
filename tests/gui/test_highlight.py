"""Search hits highlighted in the customer list: what matches, and the delegate painting it."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.services.auth import sign_out
from app.storage.location import DatabaseLocation
from tests.gui.conftest import open_demo_page
from ui.pages.customers import CustomersPage
from ui.widgets.highlight import HIT_BACKGROUND, HighlightDelegate, highlight_ranges, segments


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        ("张三丰", "三", ((1, 1),)),  # literal substring
        ("Acme 上海", "aCmE", ((0, 4),)),  # case-insensitive
        ("KH00000012 ⚠", "kh0000001", ((0, 9),)),  # the customer number column
        ("张三丰", "zsf", ((0, 3),)),  # pinyin initials
        ("张三丰", "zhangsan", ((0, 2),)),  # full syllables
        ("张三丰", "zhangs", ((0, 2),)),  # the last syllable in part
        ("张三丰", "sanf", ((1, 2),)),  # starting inside the name
        ("张三丰", "zhang san", ((0, 2),)),  # pinyin typed with a space
        ("单雄", "shanx", ((0, 2),)),  # 多音字 surname
        ("中国工商银行", "yinhang", ((4, 2),)),  # phrase reading of 行
        ("上海示范律师事务所", "lvshi", ((4, 2),)),
        ("张**", "zs", ((0, 1),)),  # masked name: only the visible character
        ("张**", "zhangsan", ((0, 1),)),
        ("张**", "san", ()),  # the match would be in masked characters only
        ("张三丰", "wang", ()),
        ("张三丰", "", ()),
        ("张三丰", "138", ()),
    ],
)
def test_highlight_ranges(text: str, query: str, expected: tuple[tuple[int, int], ...]) -> None:
    assert highlight_ranges(text, query) == expected


def test_segments_split_text_along_the_hits() -> None:
    assert segments("张三丰", [(1, 1)]) == [("张", False), ("三", True), ("丰", False)]
    assert segments("abcabc", [(0, 1), (3, 1)]) == [
        ("a", True),
        ("bc", False),
        ("a", True),
        ("bc", False),
    ]
    assert segments("abc", []) == [("abc", False)]


def count_colour(image: QImage, colours: set[int], x0: int, x1: int, y0: int, y1: int) -> int:
    return sum(
        1
        for y in range(max(y0, 0), min(y1, image.height()))
        for x in range(max(x0, 0), min(x1, image.width()))
        if image.pixel(x, y) & 0xFFFFFF in colours
    )


def test_the_list_paints_hits_on_selected_and_plain_rows(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock = FixedClock()
    page, session = open_demo_page(qtbot, demo_copy, CustomersPage, size=(1100, 600), clock=clock)
    qtbot.waitExposed(page)
    assert isinstance(page.table.itemDelegateForColumn(1), HighlightDelegate)
    assert page.table.itemDelegateForColumn(0) is page.table.itemDelegateForColumn(1)
    yellow = {HIT_BACKGROUND.rgb() & 0xFFFFFF}
    name_x = page.table.columnViewportPosition(1)
    name_w = page.table.columnWidth(1)

    image = page.table.viewport().grab().toImage()  # no search: nothing highlighted
    assert count_colour(image, yellow, 0, image.width(), 0, image.height()) == 0

    page.search.setText("zh")
    page.refresh()
    assert page.model.highlight == "zh" and page.model.rowCount() > 0
    page.table.selectRow(0)
    image = page.table.viewport().grab().toImage()
    first = page.table.visualRect(page.model.index(0, 1))
    second = page.table.visualRect(page.model.index(1, 1))
    assert count_colour(image, yellow, name_x, name_x + name_w, first.top(), first.bottom()) > 20
    assert count_colour(image, yellow, name_x, name_x + name_w, second.top(), second.bottom()) > 20
    # the selected row keeps its selection colour around the hit
    palette = page.table.palette()
    selection = {
        palette.color(group, QPalette.ColorRole.Highlight).rgb() & 0xFFFFFF
        for group in (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
    }
    assert QColor(HIT_BACKGROUND).rgb() & 0xFFFFFF not in selection
    assert (
        count_colour(image, selection, name_x, name_x + name_w, first.top(), first.bottom()) > 100
    )
    assert (
        count_colour(image, selection, name_x, name_x + name_w, second.top(), second.bottom()) == 0
    )
    sign_out(session=session, clock=clock)
