"""Regenerate the 库位 screenshots offscreen: location tree with a shelf map, a safe, dialogs.

Run: ``python scripts/location_screenshots.py`` (QT_QPA_PLATFORM=offscreen unless a display is
set). Builds a small demo, raises one shelved volume to 机密 so the map shows a must-move cell.
"""

from __future__ import annotations

from _shot import demo_database, demo_sign_in, grab, main_window, start_app, work_dir
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

from app.clock import SystemClock
from tests.factories import raise_a_shelved_volume
from ui.dialogs.locations import BatchCreateDialog, BulkMoveDialog
from ui.pages.locations import LocationsPage


def code_id(session: object, clock: SystemClock, code: str) -> int:
    """The id of the place ``code``."""
    from sqlalchemy import select

    from app.storage.models import StorageLocation

    with session.uow(clock) as uow:  # type: ignore[attr-defined]
        found = uow.session.scalar(select(StorageLocation.id).where(StorageLocation.code == code))
    assert found is not None
    return int(found)


def main() -> None:
    """Build a demo and grab the screens."""
    start_app()
    clock = SystemClock()
    location = demo_database(work_dir(), clock)
    session = demo_sign_in(location, "archivist", clock)
    # one shelved volume raised to 机密 stays on the ordinary shelf: a must-move cell
    box = raise_a_shelved_volume(session, clock, code_id(session, clock, "K1-01-A-1-3"))
    window = main_window(location, clock, session, (1360, 860))
    window.show_area("locations")
    page = window.page_by_key["locations"]
    assert isinstance(page, LocationsPage)
    page.show_location(code_id(session, clock, "K1-01-A-1-3"))
    page.status.setText(page.tr("档案盒 {0} 在 {1}").format(box.code, "K1-01-A-1-3"))
    grab(window, "locations-shelf-map")
    page.show_location(code_id(session, clock, "K1-G1-1-1"))
    page.status.setText("")
    grab(window, "locations-safe")

    def shoot_batch() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, BatchCreateDialog)
        dialog.room.setText("K2")
        dialog.room_name.setText("二号库房")
        dialog.show_preview()
        grab(dialog, "locations-batch-create")
        dialog.reject()

    QTimer.singleShot(300, shoot_batch)
    page.batch_create()

    def shoot_bulk() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, BulkMoveDialog)
        grab(dialog, "locations-bulk-move-preview")
        dialog.done(QDialog.DialogCode.Rejected)

    page.show_location(code_id(session, clock, "K1-01-A-1-1"))
    QTimer.singleShot(300, shoot_bulk)
    page.bulk_move_to([row.id for row in page.boxes.rows], "K1-01-A-2-3")
    window.close_for_sign_out()


if __name__ == "__main__":
    main()
