"""Regenerate the 库位 screenshots offscreen: location tree with a shelf map, a safe, dialogs.

Run: ``python scripts/location_screenshots.py`` (QT_QPA_PLATFORM=offscreen unless a display is
set). Builds a small demo, raises one shelved volume to 机密 so the map shows a must-move cell.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QWidget  # noqa: E402

from app.clock import SystemClock  # noqa: E402
from app.demo import DEMO_PASSWORD, build_demo  # noqa: E402
from app.domain.scan_codes import scan_payload  # noqa: E402
from app.services import locations as L  # noqa: E402
from app.services.auth import sign_in  # noqa: E402
from app.services.catalogue import ItemDraft, add_item  # noqa: E402
from app.storage.location import DatabaseLocation  # noqa: E402
from ui.app import prepare_application  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.dialogs.locations import BatchCreateDialog, BulkMoveDialog  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402
from ui.pages.locations import LocationsPage  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def grab(widget: QWidget, name: str) -> None:
    """Save ``widget`` as docs/screenshots/<name>.png."""
    QApplication.processEvents()
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


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
    app = QApplication(sys.argv)
    prepare_application(app)
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="archive-room-shots-"))
    location = DatabaseLocation.parse(work / "demo.db")
    clock = SystemClock()
    build_demo(location=location, clock=clock)
    session = sign_in(location=location, username="archivist", password=DEMO_PASSWORD, clock=clock)
    # one shelved volume raised to 机密 stays on the ordinary shelf: a must-move cell
    here = code_id(session, clock, "K1-01-A-1-3")
    boxes = L.list_boxes_at(session=session, location_id=here, clock=clock)
    vid = L.resolve_scan(session=session, text=scan_payload(boxes[0].references[0]), clock=clock)
    assert vid is not None
    add_item(
        session=session,
        volume_id=vid.object_id,
        draft=ItemDraft(title="授信审批表", secrecy_level="confidential"),
        clock=clock,
    )
    window = MainWindow(AppContext(location=location, clock=clock), session)
    window.resize(1360, 860)
    window.show()
    window.show_area("locations")
    page = window.page_by_key["locations"]
    assert isinstance(page, LocationsPage)
    page.show_location(code_id(session, clock, "K1-01-A-1-3"))
    page.status.setText(page.tr("档案盒 {0} 在 {1}").format(boxes[0].code, "K1-01-A-1-3"))
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
