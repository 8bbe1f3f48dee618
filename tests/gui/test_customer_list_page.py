"""The 客户 list over the whole registry: both ends at once, the middle filled in idle time,
header clicks sort in the database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.services.customers import ListOrder, SortKey, customer_id_slice
from app.storage.location import DatabaseLocation
from tests.gui.test_customers_page import open_page
from ui.pages.customers import page as page_module


def test_both_ends_paint_first_and_the_middle_fills_in(
    qtbot: QtBot, demo_copy: DatabaseLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_module, "EDGE", 20)
    monkeypatch.setattr(page_module, "LIST_STEP", 30)
    page, _session = open_page(qtbot, demo_copy)  # refresh() ran; no event processed yet
    model = page.model
    assert model.rowCount() == 200 and not model.complete
    first, last, middle = model.row_at(0), model.row_at(199), model.row_at(100)
    assert first is not None and first.number == "KH00000001"
    assert last is not None and last.number == "KH00000200"
    assert middle is not None and middle.name == "加载中…"
    assert page.count_label.text() == "共 200 位客户"
    qtbot.waitUntil(lambda: model.complete, timeout=5000)
    middle = model.row_at(100)
    assert middle is not None and middle.number == "KH00000101"
    assert [model.id_at(r) for r in range(200)] == list(range(1, 201))


def test_clicking_a_column_header_sorts_by_it_and_encrypted_columns_do_not_sort(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    page, session = open_page(qtbot, demo_copy)
    header = page.table.horizontalHeader()
    header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)  # 名称, Z→A
    qtbot.waitUntil(lambda: page.model.complete, timeout=5000)
    by_name = customer_id_slice(
        session=session,  # type: ignore[arg-type]
        clock=FixedClock(),
        limit=500,
        order=ListOrder(SortKey.NAME, descending=True),
    ).ids
    assert [page.model.id_at(r) for r in range(page.model.rowCount())] == by_name
    assert by_name != sorted(by_name)
    header.setSortIndicator(6, Qt.SortOrder.AscendingOrder)  # 证件号码: encrypted
    assert header.sortIndicatorSection() == 1  # stays on 名称
    assert [page.model.id_at(r) for r in range(page.model.rowCount())] == by_name
