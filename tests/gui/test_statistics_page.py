"""The 统计 page (issue 19): overview, a report with its charts, exports equal to the screen,
compiling a draft, approval in the 报表发布 tab, the 发放登记."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.domain.statistics import DRAFT_MARK
from app.services.exports import ExportFormat
from tests import statistics_fixtures as fx
from tests.gui.conftest import show_page, when_modal
from tests.loan_helpers import Desk
from tests.pdf_text import page_texts
from ui.context import AppContext
from ui.pages.statistics import StatisticsPage
from ui.pages.statistics.report_tab import ReportTab


@pytest.fixture
def desk(desk: Desk, clock: FixedClock) -> Desk:
    """The loan desk with the statistics fixture's month of work, made by 李四."""
    fx.build(desk("lisi"), clock)
    return desk


def open_page(qtbot: QtBot, desk: Desk, user: str) -> StatisticsPage:
    page = show_page(qtbot, StatisticsPage, desk.location, desk.clock, desk(user), (1280, 900))
    page.refresh()
    return page


def open_report(qtbot: QtBot, desk: Desk, kind: str) -> tuple[StatisticsPage, ReportTab]:
    """李四's statistics page on the report tab of ``kind``."""
    page = open_page(qtbot, desk, "lisi")
    tab = page.reports[kind]
    page.tabs.setCurrentWidget(tab)
    return page, tab


def run(qtbot: QtBot, tab: ReportTab) -> None:
    tab.set_period(*fx.PERIOD)
    tab.run_button.click()
    qtbot.waitUntil(lambda: tab.report is not None and tab.run_button.isEnabled(), timeout=20_000)


def pdf_text(path: Path) -> str:
    """The PDF's text without any white space."""
    return "".join("".join(page_texts(path.read_bytes())).split())


def test_the_page_opens_on_the_months_overview(qtbot: QtBot, desk: Desk) -> None:
    page = open_page(qtbot, desk, "lisi")
    assert page.tabs.currentWidget() is page.overview
    assert page.overview is not None
    assert "2026-01-01 至 2026-01-31" in page.overview.title.text()
    view = page.overview.view
    assert view.table_texts("holdings") == [["案卷", "5"], ["件", "10"], ["页", "45"]]
    assert view.table_texts("loans")[-1] == ["当前逾期未还", "1"]
    first = view.charts[0].chart()
    assert first is not None and first.series[0][1] == (4.0, 5.0, 10.0, 6.0)


def test_a_report_on_screen_equals_its_pdf_and_workbook(
    qtbot: QtBot, desk: Desk, tmp_path: Path
) -> None:
    _page, tab = open_report(qtbot, desk, "use")
    assert tab.department.findData("销售部") >= 0  # choices read from the data
    run(qtbot, tab)
    assert tab.report is not None
    assert [c.chart() for c in tab.view.charts] == list(tab.report.charts)
    shown = {key: tab.view.table_texts(key) for key in tab.view.tables}
    assert shown["summary"] == [["人次", "4"], ["卷次", "5"], ["件次", "10"], ["复制页数", "6"]]
    tab.write_export(ExportFormat.PDF, str(tmp_path / "use.pdf"))
    tab.write_export(ExportFormat.XLSX, str(tmp_path / "use.xlsx"))
    text = pdf_text(tmp_path / "use.pdf")
    assert DRAFT_MARK.replace(" ", "") in text
    sheet = load_workbook(io.BytesIO((tmp_path / "use.xlsx").read_bytes())).active
    assert sheet is not None
    cells = [[str(c) for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    for rows in shown.values():
        for row in rows:
            assert row in cells
            for cell in row:
                assert "".join(cell.split()) in text
    for value in fx.PERSONAL:
        assert value not in text and value not in str(cells)


def test_filters_recompute_the_report(qtbot: QtBot, desk: Desk) -> None:
    _page, tab = open_report(qtbot, desk, "holdings")
    assert not tab.department.isVisible() and tab.level.isVisible()
    tab.category.setCurrentIndex(tab.category.findData("HT"))
    run(qtbot, tab)
    assert tab.view.table_texts("summary")[0] == ["案卷", "2"]


def test_a_draft_is_compiled_approved_released_and_handed_out(
    qtbot: QtBot, desk: Desk, tmp_path: Path
) -> None:
    page, tab = open_report(qtbot, desk, "loans")
    run(qtbot, tab)

    def fill(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.save()

    errors = when_modal(fill)
    tab.compile_button.click()
    assert not errors
    releases = page.releases
    assert releases is not None and page.tabs.currentWidget() is releases
    assert releases.stored is not None and releases.stored.row.state == "pending"
    assert not releases.approve_button.isVisible()  # an archivist approves nothing

    approver = open_page(qtbot, desk, "manager")
    assert approver.releases is not None
    approver.tabs.setCurrentWidget(approver.releases)
    approver.releases.panel.select_row(0)
    assert approver.releases.approve_button.isEnabled()
    approver.releases.approve_button.click()
    assert approver.releases.stored is not None
    assert approver.releases.stored.row.number == "TJ2026-0001"

    releases.refresh()
    assert releases.give_button.isEnabled()

    def hand_out(dialog) -> None:  # type: ignore[no-untyped-def]
        dialog.recipient.setText("总经理办公室")
        dialog.copies.setValue(2)
        dialog.save()

    errors = when_modal(hand_out)
    releases.give_button.click()
    assert not errors
    assert releases.stored is not None and releases.stored.row.distributed == 2
    assert "总经理办公室 2 份" in releases.release_label.text()
    releases.write_export(ExportFormat.PDF, str(tmp_path / "released.pdf"))
    text = pdf_text(tmp_path / "released.pdf")
    assert "TJ2026-0001" in text and DRAFT_MARK.replace(" ", "") not in text
    assert releases.view.table_texts("summary")[0] == ["本期借出", "3"]
    assert date(2026, 1, 20).isoformat() in releases.release_label.text()

    def change(dialog) -> None:  # type: ignore[no-untyped-def]
        cells = [tuple(dialog.cell.itemData(n)) for n in range(dialog.cell.count())]
        dialog.cell.setCurrentIndex(cells.index(("summary", "本期借出", 1)))
        dialog.new_value.setText("4")
        dialog.note.setText("补录一笔借出")
        dialog.save()

    errors = when_modal(change)
    releases.revise_button.click()
    assert not errors
    revised = releases.stored
    assert revised is not None and revised.row.id != approver.releases.stored.row.id
    assert (revised.row.version, revised.row.state) == (2, "pending")
    assert releases.view.table_texts("summary")[0] == ["本期借出", "4"]


def test_the_three_roles_are_told_why_they_see_no_reports(qtbot: QtBot, desk: Desk) -> None:
    page = StatisticsPage(AppContext(location=desk.location, clock=desk.clock), desk.admin)
    qtbot.addWidget(page)
    page.refresh()
    assert "三员分立" in page.message.text() and page.overview is None
