"""Shared set-up of the screenshot scripts: offscreen Qt, a throw-away database, grab and save.

Import it before anything of the project (``from _shot import …``): it puts the repository on
``sys.path`` and selects the offscreen Qt platform unless a display is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.clock import Clock, FixedClock, SystemClock  # noqa: E402
from app.demo import DEMO_PASSWORD, build_demo  # noqa: E402
from app.services.auth import sign_in  # noqa: E402
from app.storage.location import DatabaseLocation  # noqa: E402
from ui.app import prepare_application  # noqa: E402
from ui.context import AppContext  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
_APPS: list[QApplication] = []  # the application lives as long as the script


def start_app() -> QApplication:
    """The styled application; docs/screenshots/ exists afterwards."""
    app = QApplication(sys.argv)
    prepare_application(app)
    _APPS.append(app)
    OUT.mkdir(parents=True, exist_ok=True)
    return app


def work_dir(prefix: str = "archive-room-shots-") -> Path:
    """A fresh temporary folder for the scripts' databases and PDFs."""
    return Path(tempfile.mkdtemp(prefix=prefix))


def settle(ready: Any, timeout: float = 30.0) -> None:
    """Run the event loop until ``ready()`` (work the pages do off the GUI thread is in)."""
    import time

    end = time.monotonic() + timeout
    while not ready() and time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def grab(widget: QWidget, name: str) -> None:
    """Save ``widget`` as docs/screenshots/<name>.png."""
    QApplication.processEvents()
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def png(pdf: bytes, name: str, dpi: int = 80) -> None:
    """The first page of ``pdf`` as docs/screenshots/<name>.png (pdftoppm)."""
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "form.pdf"
        source.write_bytes(pdf)
        prefix = OUT / name
        first_page = ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile"]
        subprocess.run([*first_page, str(source), str(prefix)], check=True)
    print(prefix.with_suffix(".png").relative_to(ROOT))


def demo_database(work: Path, clock: Clock | None = None) -> DatabaseLocation:
    """The demo database built in ``work``."""
    location = DatabaseLocation.parse(work / "demo.db")
    build_demo(location=location, clock=clock or SystemClock())
    return location


def demo_sign_in(location: DatabaseLocation, username: str, clock: Clock) -> Any:
    """A session of the demo account ``username``."""
    return sign_in(location=location, username=username, password=DEMO_PASSWORD, clock=clock)


def main_window(
    location: DatabaseLocation, clock: Clock, session: Any, size: tuple[int, int]
) -> Any:
    """The main window of ``session``, resized and shown."""
    from ui.main_window import MainWindow

    window = MainWindow(AppContext(location=location, clock=clock), session)
    window.resize(*size)
    window.show()
    return window


def fresh_database(
    name: str, clock: Clock | None = None
) -> tuple[Path, Clock, DatabaseLocation, Any]:
    """A new database (the tests' set-up request) in a temporary folder: its administrator."""
    from app.services.setup import initialize_database
    from tests.conftest import make_setup_request

    work = Path(tempfile.mkdtemp())
    clock = clock or FixedClock()
    location = DatabaseLocation.parse(work / name)
    admin = initialize_database(location=location, request=make_setup_request(), clock=clock)
    return work, clock, location, admin.session


def customer_form(window: Any, name: str, id_number: str, phone: str) -> Any:
    """The customer form over ``window``, shown, with a registered person's name, ID and phone."""
    from ui.dialogs.customer_form import CustomerFormDialog

    form = CustomerFormDialog(window)
    form.show()
    form.name.setText(name)
    form.status.setCurrentIndex(form.status.findData("registered"))
    form.id_number.setText(id_number)
    form.phones[0].setText(phone)
    return form
