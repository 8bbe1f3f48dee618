"""Regenerate the audit screenshots offscreen: the auditor's view, its summary, the incident form.

Run: ``python scripts/audit_screenshots.py``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.clock import SystemClock  # noqa: E402
from app.demo import DEMO_PASSWORD, build_demo  # noqa: E402
from app.errors import AppError  # noqa: E402
from app.services.auth import sign_in, sign_out  # noqa: E402
from app.services.customers import reveal_customer  # noqa: E402
from app.storage.location import DatabaseLocation  # noqa: E402
from ui.app import prepare_application  # noqa: E402
from ui.context import AppContext  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def grab(widget: QWidget, name: str) -> None:
    QApplication.processEvents()
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def activity(location: DatabaseLocation, clock: SystemClock) -> None:
    """Some use of customer data and a mistyped password, so the trail has something to show."""
    session = sign_in(location=location, username="archivist", password=DEMO_PASSWORD, clock=clock)
    for cid, purpose in ((1, "办理借阅核对身份"), (2, "客户来电核实信息"), (1, "合同签订核对")):
        reveal_customer(session=session, customer_id=cid, purpose=purpose, clock=clock)
    sign_out(session=session, clock=clock)
    with contextlib.suppress(AppError):  # a mistyped password: 登录失败 in the trail
        sign_in(location=location, username="archivist2", password="wrong", clock=clock)


def main() -> None:
    app = QApplication(sys.argv)
    prepare_application(app)
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="archive-room-audit-shots-"))
    location = DatabaseLocation.parse(work / "demo.db")
    clock = SystemClock()
    build_demo(location=location, clock=clock)
    activity(location, clock)
    session = sign_in(location=location, username="auditor", password=DEMO_PASSWORD, clock=clock)
    window = MainWindow(AppContext(location=location, clock=clock), session)
    window.resize(1280, 800)
    window.show()
    window.show_area("audit")
    grab(window, "audit-view")
    page = window.page_by_key["audit"]
    page.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    grab(window, "audit-summary")
    page.tabs.setCurrentIndex(0)  # type: ignore[attr-defined]
    page.history_key.setText("KH00000001")  # type: ignore[attr-defined]
    page.show_history()  # type: ignore[attr-defined]
    grab(window, "audit-history")
    window.close_for_sign_out()
    sign_out(session=session, clock=clock)
    incident_screens(location, clock)


def incident_screens(location: DatabaseLocation, clock: SystemClock) -> None:
    """The incident form (added with the incident register)."""


if __name__ == "__main__":
    main()
