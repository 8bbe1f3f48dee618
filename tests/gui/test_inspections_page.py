"""检查 page: a session through the UI with simulated scanner input, the climate chart, tasks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.domain import inspections as rules
from app.domain.scan_codes import scan_payload
from app.services import inspections as I
from app.services.auth import SignedIn
from app.storage.location import DatabaseLocation
from tests.gui.conftest import cjk_font, previewed, when_modal
from tests.integration.test_inspections import code_of, shelve, start
from tests.integration.test_locations import place_id, shelf
from ui.context import AppContext
from ui.pages.inspections import FindingDialog, InspectionsPage, NewInspectionDialog

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def open_page(
    qtbot: QtBot, location: DatabaseLocation, clock: FixedClock, s: SignedIn
) -> InspectionsPage:
    page = InspectionsPage(AppContext(location=location, clock=clock), s)
    qtbot.addWidget(page)
    page.setFont(cjk_font())  # the bundled font, so that the screenshots show Chinese
    page.resize(1280, 760)
    page.show()
    return page


def scanner(qtbot: QtBot, page: InspectionsPage, code: str) -> str:
    """What a keyboard-wedge scanner does: type the payload, then Enter."""
    qtbot.keyClicks(page.scan_box, scan_payload(code))
    qtbot.keyClick(page.scan_box, Qt.Key.Key_Return)
    return page.ack.text()


def test_a_session_is_started_counted_by_scanner_and_its_differences_listed(
    qtbot: QtBot, location: DatabaseLocation, clock: FixedClock, keeper: SignedIn
) -> None:
    shelf(keeper, clock)
    _b, vids = shelve(keeper, clock, "K1-01-A-1-1", 3)
    _b2, other = shelve(keeper, clock, "K1-02-A-1-1", 1)
    page = open_page(qtbot, location, clock, keeper)
    assert page.scan_box.property("handles_scans") is True

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, NewInspectionDialog)
        dialog.me.setChecked(True)
        dialog.others.setText("")
        dialog.save()  # one inspector only: refused next to the field
        seen["error"] = dialog.errors.label_for("inspectors").text()
        dialog.scope.setCurrentIndex(dialog.scope.findData("face"))
        for i in range(dialog.parts.count()):
            if dialog.parts.item(i).text() == "K1-01-A":
                dialog.parts.item(i).setSelected(True)
        dialog.others.setText("王五")
        dialog.save()

    seen: dict[str, str] = {}
    errors = when_modal(fill)
    page.new_button.click()
    assert errors == []
    assert "至少需要两名不同的检查人" in seen["error"]
    assert page.current is not None and page.current.scope_label == "面 K1-01-A"
    page.start_count.click()
    assert page.tabs.currentIndex() == 1 and page.scan_box.isEnabled()
    assert "应有 3 卷" in page.counts.text()
    assert scanner(qtbot, page, "K1-01-A-1-1").startswith("位置")
    assert scanner(qtbot, page, code_of(keeper, clock, vids[0])).startswith("已清点")
    assert scanner(qtbot, page, code_of(keeper, clock, vids[1])).startswith("已清点")
    assert scanner(qtbot, page, code_of(keeper, clock, other[0])) == (
        f"错位　{code_of(keeper, clock, other[0])}　K1-02-A-1-1"
    )
    qtbot.keyClicks(page.scan_box, scan_payload("K1-01-A-1-1")[:-1] + "#")  # a misread
    qtbot.keyClick(page.scan_box, Qt.Key.Key_Return)
    assert "校验" in page.ack.text() or "重新扫描" in page.ack.text()
    assert "已扫描 3 卷" in page.counts.text()
    assert page.recent.count() == 4
    page.refresh_differences()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SCREENSHOTS / "inspection-scan.png"))
    page.finish_count.click()
    assert page.current.status == "findings"
    kinds = sorted(page.differences.item(r, 0).text() for r in range(page.differences.rowCount()))
    assert kinds == ["缺失", "错位"]
    # the scan never moved the volume seen elsewhere
    assert I.get_inspection(session=keeper, inspection_id=page.current.id, clock=clock).found == 3
    page.tabs.setCurrentIndex(0)
    page.grab().save(str(SCREENSHOTS / "inspection-session.png"))


def test_the_climate_tab_charts_readings_and_lists_those_out_of_range(
    qtbot: QtBot, location: DatabaseLocation, clock: FixedClock, keeper: SignedIn
) -> None:
    shelf(keeper, clock)
    rid = place_id(keeper, clock, "K1")
    start = clock.now() - timedelta(days=14)
    for day in range(14):
        for hour, t, rh in (
            (0, 17.5 + day % 3, 49.0 + day % 4),
            (7, 19.0 + day % 5 * 0.8, 52.0 + day % 6 * 2),
        ):
            I.record_reading(
                session=keeper,
                room_id=rid,
                temperature=t,
                humidity=rh,
                taken_at=start + timedelta(days=day, hours=hour),
                clock=clock,
            )
    page = open_page(qtbot, location, clock, keeper)
    page.tabs.setCurrentIndex(3)
    assert page.chart.point_count() == 28
    page.temperature.setValue(26.0)
    page.humidity.setValue(63.0)
    page.add_reading.click()
    assert page.chart.point_count() == 29
    items = [page.out_of_range.item(i).text() for i in range(page.out_of_range.count())]
    assert any("温度过高" in t and "湿度过高" in t for t in items)
    assert any("日湿差超限" in t for t in items)
    page.grab().save(str(SCREENSHOTS / "inspection-climate.png"))


def test_a_finding_with_a_repair_task_shows_in_the_task_list_until_done(
    qtbot: QtBot, location: DatabaseLocation, clock: FixedClock, keeper: SignedIn
) -> None:
    shelf(keeper, clock)
    _b, vids = shelve(keeper, clock, "K1-01-A-1-1", 1)
    page = open_page(qtbot, location, clock, keeper)
    page.tabs.setCurrentIndex(4)

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, FindingDialog)
        dialog.volume.setText(code_of(keeper, clock, vids[0]))
        dialog.kind.setCurrentIndex(dialog.kind.findData("fading"))
        dialog.description.setText("第3页字迹褪色")
        dialog.task_kind.setCurrentIndex(dialog.task_kind.findData("copy"))
        dialog.send_out.setChecked(True)
        dialog.save()

    errors = when_modal(fill)
    page.add_finding.click()
    assert errors == []
    assert page.tasks.rowCount() == 1
    assert [page.tasks.item(0, c).text() for c in (1, 2, 3, 5)] == [
        "字迹褪色",
        "复制",
        "李四",
        "在修",
    ]
    page.tasks.selectRow(0)
    page.task_done.click()
    assert page.tasks.rowCount() == 0


def test_the_administrator_edits_the_checklist_and_the_limits(
    qtbot: QtBot, clock: FixedClock, admin: SignedIn, location: DatabaseLocation
) -> None:
    from ui.dialogs.inspection_settings import InspectionSettingsDialog

    dialog = InspectionSettingsDialog(None, AppContext(location=location, clock=clock), admin)
    qtbot.addWidget(dialog)
    dialog.setFont(cjk_font())
    dialog.show()
    dialog.spins[rules.RoomType.PAPER]["t_min"].setValue(25.0)  # above the maximum
    dialog.save()
    assert "温度范围：下限须小于上限" in dialog.errors.label_for("climate_t.paper").text()
    dialog.spins[rules.RoomType.PAPER]["t_min"].setValue(15.0)
    dialog.checklist.setPlainText("防火\n防盗\n\n防潮")
    dialog.grab().save(str(SCREENSHOTS / "inspection-settings.png"))
    dialog.save()
    saved = I.get_inspection_settings(session=admin, clock=clock)
    assert saved.checklist == ("防火", "防盗", "防潮")
    assert saved.limits[rules.RoomType.PAPER].t_min == 150


def test_the_home_screen_lists_inspections_due_and_open_repair_tasks(
    qtbot: QtBot, clock: FixedClock, keeper: SignedIn
) -> None:
    from datetime import date

    from ui.pages.home import HomePage

    shelf(keeper, clock)
    _b, vids = shelve(keeper, clock, "K1-01-A-1-1", 1)
    I.record_finding(
        session=keeper,
        volume_id=vids[0],
        kind="damage",
        description="书脊开裂",
        task=I.TaskDraft(kind="mend", due_on=date(2026, 1, 10), responsible_name="王五"),
        clock=clock,
    )
    clock.advance(days=200)  # the room's first half-yearly inspection is overdue; the task too
    home = HomePage(keeper.actor, "示范", clock.now())
    qtbot.addWidget(home)
    home.show_inspections_due(I.list_inspection_schedule(session=keeper, clock=clock))
    home.show_tasks(I.list_open_tasks(session=keeper, clock=clock))
    assert "K1 库房K1　已逾期　应于 2026-07-05" in home.cards["inspections"].body.text()
    tasks = home.cards["tasks"].body.text()
    assert "待办修复任务 1 项" in tasks and "修补　王五　期限 2026-01-10（已逾期）" in tasks


def test_differences_are_settled_the_checklist_filled_and_the_session_closed_and_printed(
    qtbot: QtBot, location: DatabaseLocation, clock: FixedClock, keeper: SignedIn
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from ui.pages.inspections import CloseDialog

    shelf(keeper, clock)
    _b, vids = shelve(keeper, clock, "K1-01-A-1-1", 2)
    sid = start(keeper, clock, kind="special")
    page = open_page(qtbot, location, clock, keeper)
    assert page.current is not None and page.current.id == sid
    page.start_count.click()
    scanner(qtbot, page, code_of(keeper, clock, vids[0]))
    page.finish_count.click()
    assert page.differences.rowCount() == 1  # the second volume is missing
    page.differences.selectRow(0)

    def explain(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue("借给审计部门核对，见借阅登记")
        dialog.accept()

    errors = when_modal(explain)
    page.resolve_note.click()
    assert errors == []
    assert page.differences.item(0, 4).text() == "已说明：借给审计部门核对，见借阅登记"
    for row in range(page.checks.rowCount()):
        page.checks.selectRow(row)
        page.check_ok.click()
    assert {page.checks.item(r, 2).text() for r in range(page.checks.rowCount())} == {"正常"}

    def close(dialog: QWidget) -> None:
        assert isinstance(dialog, CloseDialog)
        assert not dialog.carry.isEnabled()  # nothing is left to carry over
        dialog.measures.setText("无")
        dialog.save()

    errors = when_modal(close)
    page.close_session.click()
    assert errors == []
    assert page.current is not None and page.current.status == "closed"
    _title, pdf = previewed(qtbot, page.print_record)
    assert pdf.startswith(b"%PDF")
