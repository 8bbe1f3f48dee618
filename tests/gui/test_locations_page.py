"""库位 page: batch creation through the dialog, the shelf map, scanning, move mode, bulk move."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.domain.scan_codes import scan_payload
from app.services import locations as L
from app.services.auth import SignedIn, sign_in
from app.storage.location import DatabaseLocation
from tests.factories import raise_a_shelved_volume
from tests.gui.conftest import open_demo_page, when_modal
from ui.context import AppContext
from ui.dialogs.locations import BatchCreateDialog, BulkMoveDialog
from ui.main_window import MainWindow
from ui.pages.locations import LocationsPage


def open_page(qtbot: QtBot, location: DatabaseLocation) -> tuple[LocationsPage, SignedIn]:
    return open_demo_page(qtbot, location, LocationsPage, size=(1280, 800))


def scan(qtbot: QtBot, page: LocationsPage, text: str) -> None:
    """What a USB scanner does: type the characters fast, then Enter."""
    page.scan.setFocus()
    qtbot.keyClicks(page.scan, text)
    qtbot.keyClick(page.scan, Qt.Key.Key_Return)


def test_batch_creation_through_the_dialog_shows_a_preview_then_creates(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    page, _session = open_page(qtbot, demo_copy)
    seen: dict[str, str] = {}

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, BatchCreateDialog)
        dialog.room.setText("K2")
        dialog.room_name.setText("二号库房")
        dialog.columns.setText("1-12")
        dialog.faces.setText("A/B")
        dialog.sections.setText("1–5")  # an en dash, as people type it
        dialog.layers.setText("99")
        dialog.preview_button.click()
        seen["layers"] = dialog.errors.text("layers")
        dialog.layers.setText("1-6")
        dialog.preview_button.click()
        seen["preview"] = dialog.preview_text.toPlainText()
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    errors = when_modal(fill)
    page.batch_button.click()
    assert errors == []
    assert seen["layers"] == "层：应在 1 到 20 之间"
    assert "将新建 878 个位置" in seen["preview"] and "编码从 K2 到 K2-12-B-5-6" in seen["preview"]
    rooms = [page.tree.topLevelItem(i).text(0) for i in range(page.tree.topLevelItemCount())]
    assert any("二号库房" in r for r in rooms) and "已新建 878 个存放位置" in page.status.text()


def test_scanning_a_box_shows_its_shelf_and_a_bad_check_is_rejected(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    page, session = open_page(qtbot, demo_copy)
    box = L.list_boxes_at(session=session, location_id=_id(session, "K1-01-A"), clock=FixedClock())[
        0
    ]
    scan(qtbot, page, scan_payload(box.code))
    assert page.map.shelf_map is not None and page.map.shelf_map.code == "K1-01-A"
    assert len(page.map.cells) == 30  # 5 节 × 6 层
    assert page.boxes.selected_ids() == [box.id]
    assert f"档案盒 {box.code} 在 {box.location_code}" in page.status.text()
    bad = scan_payload(box.code)
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    scan(qtbot, page, bad)
    assert "校验位不正确" in page.status.text()
    assert page.scan.text() == bad  # kept and selected, so the next scan replaces it


def test_move_mode_moves_a_scanned_box_to_a_scanned_place(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    page, session = open_page(qtbot, demo_copy)
    clock = FixedClock()
    box = L.list_boxes_at(session=session, location_id=_id(session, "K1-01-A"), clock=clock)[0]
    page.move_mode.setChecked(True)
    scan(qtbot, page, scan_payload(box.code))
    assert f"已选择 {box.code}" in page.status.text()
    scan(qtbot, page, scan_payload("K1-04-B-5-6"))
    assert f"已移动：{box.code} → K1-04-B-5-6（调架）" in page.status.text()
    assert L.get_box(session=session, box_id=box.id, clock=clock).location_code == "K1-04-B-5-6"
    assert page.map.shelf_map is not None and page.map.shelf_map.code == "K1-04-B"
    # a classified box cannot go onto the ordinary shelf: refused with the allowed safes
    secret = L.list_boxes_at(session=session, location_id=_id(session, "K1-G1"), clock=clock)[0]
    scan(qtbot, page, scan_payload(secret.code))
    scan(qtbot, page, scan_payload("K1-04-B-5-5"))
    assert "只能存放在保险柜或涉密专柜" in page.status.text() and "K1-G1-1-" in page.status.text()
    assert L.get_box(session=session, box_id=secret.id, clock=clock).location_code.startswith(
        "K1-G1"
    )


def test_bulk_move_previews_and_can_be_undone(qtbot: QtBot, demo_copy: DatabaseLocation) -> None:
    page, session = open_page(qtbot, demo_copy)
    clock = FixedClock()
    page.show_location(_id(session, "K1-01-A-1-1"))
    listed = [row.id for row in page.boxes.rows]
    assert listed
    seen: dict[str, object] = {}

    def confirm(dialog: QWidget) -> None:
        assert isinstance(dialog, BulkMoveDialog)
        seen["rows"] = dialog.table.rowCount()
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen["enabled"] = ok.isEnabled()
        ok.click()

    errors = when_modal(confirm)
    batch = page.bulk_move_to(listed, "K1-03-B")
    assert errors == [] and batch is not None
    assert seen == {"rows": len(listed), "enabled": True}
    assert {L.get_box(session=session, box_id=b, clock=clock).location_code for b in listed} == {
        "K1-03-B-1-1"
    }
    info = L.last_bulk_move(session=session, clock=clock)
    assert info is not None and info.undoable
    L.undo_last_bulk_move(session=session, clock=clock)
    assert {L.get_box(session=session, box_id=b, clock=clock).location_code for b in listed} == {
        "K1-01-A-1-1"
    }


def test_a_code_scanned_into_the_archive_search_jumps_to_the_place(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock = FixedClock()
    window, session = open_demo_page(qtbot, demo_copy, MainWindow, size=None, clock=clock)
    window.show_area("archives")
    archives = window.page_by_key["archives"]
    search = archives.search  # type: ignore[attr-defined]
    search.setFocus()
    qtbot.keyClicks(search, scan_payload("K1-02-B-3-4"))
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert window.current_area() == "locations"
    page = window.page_by_key["locations"]
    assert isinstance(page, LocationsPage)
    assert page.map.shelf_map is not None and page.map.shelf_map.code == "K1-02-B"
    assert search.text() == ""
    # a volume's 档号 scanned into the customer search opens it in 档案
    volume = L.list_boxes_at(session=session, location_id=_id(session, "K1-01-A"), clock=clock)[0]
    window.show_area("customers")
    customers = window.page_by_key["customers"]
    box_search = customers.search  # type: ignore[attr-defined]
    box_search.setFocus()
    qtbot.keyClicks(box_search, scan_payload(volume.references[0]))
    qtbot.keyClick(box_search, Qt.Key.Key_Return)
    assert window.current_area() == "archives"
    assert search.text() == volume.references[0]
    # the keys typed into the customer search started its search-as-you-type pause; on a
    # server the test's database is dropped before the window closes, so end it here
    customers._timer.stop()  # type: ignore[attr-defined]


def _id(session: SignedIn, code: str) -> int:
    from sqlalchemy import select

    from app.storage.models import StorageLocation

    with session.uow(FixedClock()) as uow:
        found = uow.session.scalar(select(StorageLocation.id).where(StorageLocation.code == code))
    assert found is not None
    return found


def test_labels_and_the_shelf_list_open_from_the_page(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    from ui.dialogs.label_sheet import LabelSheetDialog
    from ui.dialogs.print_preview import PrintPreviewDialog

    page, session = open_page(qtbot, demo_copy)
    safe_layer = _id(session, "K1-G1-1-1")
    page.show_location(safe_layer)
    assert page.boxes.rows, "the demo keeps its 机密/绝密 boxes in the safe"
    seen: dict[str, object] = {}

    def read_labels(dialog: QWidget) -> None:
        assert isinstance(dialog, LabelSheetDialog)
        seen["labels"] = [(label.code, label.secrecy_mark) for label in dialog._labels]
        dialog.reject()

    errors = when_modal(read_labels)
    page.print_box_labels()
    assert errors == []
    codes = [code for code, _mark in seen["labels"]]  # type: ignore[attr-defined]
    assert codes == [row.code for row in page.boxes.rows]
    assert all(mark.startswith(("机密", "绝密")) for _c, mark in seen["labels"])  # type: ignore[attr-defined]

    def read_places(dialog: QWidget) -> None:
        assert isinstance(dialog, LabelSheetDialog)
        seen["places"] = [label.code for label in dialog._labels]
        dialog.reject()

    page.show_location(_id(session, "K1-01-A"))
    errors = when_modal(read_places)
    page.print_place_labels()
    assert errors == [] and len(seen["places"]) == 30  # type: ignore[arg-type]
    assert seen["places"][:2] == ["K1-01-A-1-1", "K1-01-A-1-2"]  # type: ignore[index]

    def read_preview(dialog: QWidget) -> None:
        assert isinstance(dialog, PrintPreviewDialog)
        seen["preview"] = dialog.windowTitle()
        dialog.reject()

    errors = when_modal(read_preview)
    page.print_shelf_list()
    qtbot.waitUntil(lambda: "preview" in seen)  # drawn off the GUI thread (issue 21)
    assert errors == [] and "排架清单 K1-01-A" in str(seen["preview"])


def test_code_rules_are_checked_in_the_dialog_and_apply_to_new_places(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    from ui.dialogs.locations import LocationSettingsDialog

    page, session = open_page(qtbot, demo_copy)
    seen: dict[str, str] = {}

    def edit(dialog: QWidget) -> None:
        assert isinstance(dialog, LocationSettingsDialog)
        dialog.shelf_pattern.setText("{room}-{face}")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        seen["error"] = dialog.errors.text("shelf_pattern")
        dialog.shelf_pattern.setText("{room}.{column:3}{face}.{section}.{layer}.{position}")
        seen["example"] = dialog.example.text()
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()

    errors = when_modal(edit)
    page.rules_button.click()
    assert errors == []
    assert seen["error"].startswith("密集架编码规则：格式不正确")
    assert "K1.003A.2.4" in seen["example"]
    plan = L.plan_location_batch(
        session=session,
        spec=L.BatchSpec(room="K5", columns="1", faces="A", sections="1", layers="1"),
        clock=FixedClock(),
    )
    assert plan.new[-1].code == "K5.001A.1.1"


def test_the_archive_page_shows_where_a_volume_is_and_its_moves(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    from ui.dialogs.locations import VolumeHistoryDialog
    from ui.pages.archives import ArchivesPage

    clock = FixedClock()
    page, session = open_demo_page(qtbot, demo_copy, ArchivesPage, size=None, clock=clock)
    box = L.list_boxes_at(session=session, location_id=_id(session, "K1-01-A-1-1"), clock=clock)[0]
    page.search.setText(box.references[0])  # typed: found after the pause, off the GUI thread
    qtbot.waitUntil(lambda: f"存放：{box.code} K1-01-A-1-1" in page.volume_label.text())
    seen: dict[str, object] = {}

    def read(dialog: QWidget) -> None:
        assert isinstance(dialog, VolumeHistoryDialog)
        seen["where"] = dialog.where.text()
        seen["reasons"] = [dialog.table.item(r, 3).text() for r in range(dialog.table.rowCount())]
        dialog.reject()

    errors = when_modal(read)
    page.place_button.click()
    assert errors == []
    assert seen["where"] == f"现存放：{box.code} K1-01-A-1-1"
    assert seen["reasons"] == ["上架"]  # put into its box by the demo's bulk shelving


def test_a_box_dropped_on_a_map_cell_moves_there_and_a_refused_drop_says_why(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    from PySide6.QtCore import QByteArray, QMimeData, QPointF
    from PySide6.QtGui import QDropEvent

    from ui.pages.locations import BOX_MIME

    page, session = open_page(qtbot, demo_copy)
    clock = FixedClock()
    page.show_location(_id(session, "K1-01-A"))
    plain = L.list_boxes_at(session=session, location_id=_id(session, "K1-01-A-1-1"), clock=clock)[
        0
    ]
    secret = L.list_boxes_at(session=session, location_id=_id(session, "K1-G1"), clock=clock)[0]

    def drop(box_id: int, code: str) -> None:
        mime = QMimeData()
        mime.setData(BOX_MIME, QByteArray(str(box_id).encode()))
        event = QDropEvent(
            QPointF(5, 5),
            Qt.DropAction.MoveAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
        page.map.cells[_id(session, code)].dropEvent(event)

    drop(plain.id, "K1-01-A-5-6")
    assert L.get_box(session=session, box_id=plain.id, clock=clock).location_code == "K1-01-A-5-6"
    assert f"已移动：{plain.code} → K1-01-A-5-6" in page.status.text()
    assert page.map.cells[_id(session, "K1-01-A-5-6")].fill_label.text() == "1/6 盒"
    drop(secret.id, "K1-01-A-5-5")  # a 机密 box onto the ordinary shelf
    assert "只能存放在保险柜或涉密专柜" in page.status.text()
    assert L.get_box(session=session, box_id=secret.id, clock=clock).location_code.startswith(
        "K1-G1"
    )


def test_the_home_screen_lists_classified_volumes_left_on_an_ordinary_shelf(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    clock = FixedClock()
    session = sign_in(location=demo_copy, username="archivist", password=DEMO_PASSWORD, clock=clock)
    raise_a_shelved_volume(session, clock, _id(session, "K1-01-A-1-1"))
    window = MainWindow(AppContext(location=demo_copy, clock=clock), session)
    qtbot.addWidget(window)
    window.show()
    window.show_area("customers")
    window.show_area("home")  # the cards are read when the home screen is shown
    tasks = window.page_by_key["home"].cards["tasks"]  # type: ignore[attr-defined]
    assert tasks.body.text().startswith("须移入保密柜的机密/绝密档案 1 卷")


def test_a_secure_cabinet_is_handed_over_in_the_dialog_and_its_list_previewed(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    """保管交接 (R22, R26): the giver's places, handed to another archivist, the list shown."""
    from ui.dialogs.locations import HandoverDialog
    from ui.dialogs.print_preview import PrintPreviewDialog

    page, session = open_page(qtbot, demo_copy)
    me = session.actor.user_id
    seen: dict[str, object] = {}

    def fill(dialog: QWidget) -> None:
        assert isinstance(dialog, HandoverDialog)
        dialog.giver.setCurrentIndex(dialog.giver.findData(me))
        seen["places"] = [dialog.places.item(n).text() for n in range(dialog.places.count())]
        others = [n for n in range(dialog.receiver.count()) if dialog.receiver.itemData(n) != me]
        dialog.receiver.setCurrentIndex(others[0])
        seen["receiver"] = dialog.receiver.currentData()
        dialog.witness.setText("赵六")
        dialog.note.setText("岗位调整")
        dialog.save()

    def read_preview(dialog: QWidget) -> None:
        assert isinstance(dialog, PrintPreviewDialog)
        seen["preview"] = dialog.windowTitle()
        dialog.reject()

    errors = when_modal(fill)
    page.handover_button.click()
    assert errors == []
    assert len(seen["places"]) == 1 and "K1-G1" in str(seen["places"])  # type: ignore[arg-type]
    sheet = page.last_handover
    assert sheet.lines and "已交接 1 处保密柜" in page.status.text()
    cabinet = L.get_location(session=session, location_id=_id(session, "K1-G1"), clock=FixedClock())
    assert cabinet.custodian_id == seen["receiver"]
    errors = when_modal(read_preview, attempts=3000)
    qtbot.waitUntil(lambda: "preview" in seen)  # drawn off the GUI thread (issue 21)
    assert errors == [] and f"档案保管交接清单 第 {sheet.handover_id} 号" in str(seen["preview"])
