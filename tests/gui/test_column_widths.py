"""Columns sized to their contents (issue 21, point 7): nothing clipped in the customer list
(证件号码), the auditor's entries and the inspection checklist (item 6); what a capped column
elides is shown whole in its tooltip.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyleOptionViewItem, QTableView
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.domain import inspections as rules
from app.services.auth import SignedIn, sign_out
from app.storage.location import DatabaseLocation
from tests.gui.conftest import open_demo_page
from tests.integration.test_inspections import start
from tests.integration.test_locations import shelf
from ui.context import AppContext
from ui.pages.audit import AuditPage
from ui.pages.customers import CustomersPage
from ui.pages.inspections import InspectionsPage
from ui.widgets.table_panel import MAX_COLUMN_WIDTH


def clipped(table: QTableView, rows: int = 50) -> dict[str, str]:
    """``{column title: first clipped text without a tooltip}``; the stretched last one aside.

    A cell is clipped when its text (with the view's margins) is wider than its column; that is
    allowed only in a column capped at ``MAX_COLUMN_WIDTH`` whose tooltip shows the text whole.
    """
    model = table.model()
    header = table.horizontalHeader()
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)
    grid = 1 if table.showGrid() else 0
    found: dict[str, str] = {}
    for column in range(model.columnCount() - 1):
        title = str(model.headerData(column, Qt.Orientation.Horizontal))
        width = header.sectionSize(column)
        if width < header.sectionSizeHint(column):
            found[title] = "(the title)"
            continue
        for row in range(min(rows, model.rowCount())):
            index = model.index(row, column)
            text = str(model.data(index) or "")
            needed = table.itemDelegateForIndex(index).sizeHint(option, index).width() + grid
            if needed <= width:
                continue
            tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
            if width < MAX_COLUMN_WIDTH or text not in str(tip or ""):
                found[title] = text
                break
    return found


def test_the_customer_list_shows_every_masked_id_number_whole(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock = FixedClock()
    page, session = open_demo_page(qtbot, demo_copy, CustomersPage, size=(1366, 700), clock=clock)
    page.refresh()
    ids = page.model.COLUMNS.index("证件号码")
    shown = [page.model.data(page.model.index(r, ids)) for r in range(30)]
    assert any("*" in str(v) for v in shown)  # masked numbers (R5) are listed
    assert clipped(page.table) == {}
    # searching as one types keeps the widths (columns only grow): the list does not jump
    widths = [page.table.columnWidth(c) for c in range(page.model.columnCount())]
    page.search.setText("zh")
    page.refresh()
    assert all(page.table.columnWidth(c) >= w for c, w in enumerate(widths[:-1])), (
        "a column shrank while searching"
    )
    assert clipped(page.table) == {}
    page.close()
    sign_out(session=session, clock=clock)


def test_the_audit_entries_and_summary_show_their_columns_whole(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock = FixedClock()
    page, session = open_demo_page(
        qtbot, demo_copy, AuditPage, user="auditor", size=(1366, 700), clock=clock
    )
    qtbot.waitUntil(page.idle)  # read in the background
    assert page.entries.rows
    assert clipped(page.table, rows=200) == {}
    long = [r for r in page.entries.rows if len(r.details) > 40]
    assert long, "the demo has entries with long details"
    for view in page.summary.summary_views:
        assert clipped(view) == {}, view.objectName()
    page.close()
    sign_out(session=session, clock=clock)


def test_the_inspection_checklist_shows_item_6_whole(
    qtbot: QtBot, location: DatabaseLocation, clock: FixedClock, keeper: SignedIn
) -> None:
    shelf(keeper, clock)
    start(keeper, clock, kind="special")
    page = InspectionsPage(AppContext(location=location, clock=clock), keeper)
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.show()
    page.tabs.setCurrentIndex(2)  # 检查项目
    item_6 = rules.DEFAULT_CHECKLIST[5]
    assert page.checks.item(5, 1).text() == item_6  # 防火：灭火器有效期、电线
    assert clipped(page.checks) == {}
    page.close()
