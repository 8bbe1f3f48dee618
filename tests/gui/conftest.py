"""GUI test helpers: modal dialogs driven from a timer, a settable monotonic clock, import desk,
the archivist signed in, the bundled CJK font for screenshots."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.paths import cjk_font_path
from app.services.auth import SignedIn, sign_in, sign_out
from app.storage.location import DatabaseLocation
from tests.factories import PASSWORD, add_archivist
from ui.context import AppContext

if TYPE_CHECKING:
    from ui.dialogs.import_wizard import ImportWizard

W = TypeVar("W", bound=QWidget)


@pytest.fixture(autouse=True)
def no_error_box_left_waiting(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> Iterator[list[str]]:
    """A 程序错误 box (``show_unexpected``) fails the test with where the error was raised.

    Offscreen, a modal box nobody closes would hold the test until the suite's timeout; here it
    is answered at once and the test fails naming the error. A test that expects a critical box
    takes this fixture and empties the list; other critical boxes (a database that cannot be
    opened) are answered and left to the test to assert.
    """
    shown: list[str] = []

    def critical(_parent: object, title: str, text: str, *_args: object) -> object:
        shown.append(f"{title}: {text}")
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "critical", staticmethod(critical))
    yield shown
    if any(text.startswith("程序错误") for text in shown):
        where = "\n".join(r.getMessage() for r in caplog.records if r.name == "ui.errors")
        pytest.fail(f"error box shown: {shown}\n{where}")


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def monotonic() -> FakeMonotonic:
    return FakeMonotonic()


@pytest.fixture
def archivist(admin: SignedIn, location: DatabaseLocation, clock: FixedClock) -> Iterator[SignedIn]:
    """User ``lisi`` (档案管理员) signed in."""
    add_archivist(admin, clock)
    session = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    yield session
    sign_out(session=session, clock=clock)


@pytest.fixture
def keeper(archivist: SignedIn) -> SignedIn:
    """The archivist, as the location and inspection tests call them."""
    return archivist


def show_page(
    qtbot: QtBot,
    page_type: Callable[[AppContext, SignedIn], W],
    location: DatabaseLocation,
    clock: FixedClock,
    session: SignedIn,
    size: tuple[int, int] | None = (1280, 760),
) -> W:
    """``page_type`` built for ``session``, resized to ``size`` and shown; closed with the test."""
    page = page_type(AppContext(location=location, clock=clock), session)
    qtbot.addWidget(page)
    if size is not None:
        page.resize(*size)
    page.show()
    return page


def open_demo_page(
    qtbot: QtBot,
    location: DatabaseLocation,
    page_type: Callable[[AppContext, SignedIn], W],
    *,
    user: str = "archivist",
    size: tuple[int, int] | None = (1280, 760),
    clock: FixedClock | None = None,
) -> tuple[W, SignedIn]:
    """``user`` of a demo database signed in on ``clock`` (a new fixed one by default), and
    ``page_type`` shown for them."""
    clock = clock or FixedClock()
    session = sign_in(location=location, username=user, password=DEMO_PASSWORD, clock=clock)
    return show_page(qtbot, page_type, location, clock, session, size), session


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save_screenshot(widget: QWidget, name: str) -> Path:
    """``widget`` in the bundled CJK font, saved as ``docs/screenshots/<name>``."""
    widget.setFont(cjk_font())
    QApplication.processEvents()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    widget.grab().save(str(path))
    return path


def cjk_font() -> QFont:
    """The bundled CJK font at 10 pt, so that screenshots show Chinese on any machine."""
    font_id = QFontDatabase.addApplicationFont(str(cjk_font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id)
    font = QFont(families[0]) if families else QFont()
    font.setPointSize(10)
    return font


def when_modal(
    action: Callable[[Any], None], *, attempts: int = 200, kind: type[QWidget] = QWidget
) -> list[BaseException]:
    """Run ``action`` on the next modal dialog (of ``kind``) once it is shown; return errors
    raised in it."""
    errors: list[BaseException] = []

    def poll(left: int) -> None:
        widget = QApplication.activeModalWidget()
        if not isinstance(widget, kind) or not widget.isVisible():
            if left > 0:
                QTimer.singleShot(10, lambda: poll(left - 1))
            return
        try:
            action(widget)
        except BaseException as exc:  # surfaced by the test after the modal loop ends
            errors.append(exc)
            if isinstance(widget, QDialog):
                widget.done(QDialog.DialogCode.Rejected)  # bypasses reject() overrides
            else:
                widget.close()

    QTimer.singleShot(0, lambda: poll(attempts))
    return errors


def when_box_shown(action: Callable[[QMessageBox], None]) -> list[str]:
    """Run ``action`` on the first visible message box, however long the work before it takes
    (looked for every 20 ms); return the list that the box's text is added to before that."""
    texts: list[str] = []

    def poll() -> None:
        box = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, QMessageBox) and w.isVisible()
            ),
            None,
        )
        if box is None:
            QTimer.singleShot(20, poll)
            return
        texts.append(box.text())
        action(box)

    QTimer.singleShot(0, poll)
    return texts


def previewed(qtbot: QtBot, button: QAbstractButton) -> tuple[str, bytes]:
    """Click ``button``; the print preview it opens (drawn off the GUI thread, issue 21) is read
    and closed. Returns the preview's window title and its PDF."""
    from ui.dialogs.print_preview import PrintPreviewDialog

    seen: dict[str, Any] = {}

    def read(dialog: QWidget) -> None:
        assert isinstance(dialog, PrintPreviewDialog)
        seen["title"], seen["pdf"] = dialog.windowTitle(), dialog._pdf
        dialog.close()

    errors = when_modal(read)
    button.click()
    qtbot.waitUntil(lambda: "pdf" in seen)
    assert errors == []
    return seen["title"], seen["pdf"]


class FilePrinter:
    """Stands in for Qt's print dialog, accepted at once: a PDF file ``target`` is the paper,
    at ``resolution`` dpi; ``pages`` (first, last) chooses a page range."""

    def __init__(
        self, target: Path, resolution: int = 150, pages: tuple[int, int] | None = None
    ) -> None:
        self.target = target
        self.resolution = resolution
        self.pages = pages

    def __call__(self, printer: QPrinter, _parent: object) -> FilePrinter:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(self.target))
        printer.setResolution(self.resolution)
        if self.pages is not None:
            printer.setPrintRange(QPrinter.PrintRange.PageRange)
            printer.setFromTo(*self.pages)
        return self

    def __getattr__(self, _name: str) -> object:
        return lambda *_a: None

    def exec(self) -> int:
        return 1


@dataclass
class WizardDesk:
    """The archivist ``lisi`` at the import wizard (the administrator created the account)."""

    qtbot: QtBot
    location: DatabaseLocation
    clock: FixedClock
    session: SignedIn

    @property
    def context(self) -> AppContext:
        return AppContext(location=self.location, clock=self.clock)

    def add(self, widget: W) -> W:
        """``widget``, closed with the test."""
        self.qtbot.addWidget(widget)
        return widget

    def open(self, kind: str) -> tuple[ImportWizard, SignedIn]:
        """The wizard for ``kind``, shown; and lisi's session."""
        from ui.dialogs.import_wizard import ImportWizard

        wizard = self.add(ImportWizard(None, self.context, self.session, kind))
        wizard.show()
        return wizard, self.session


def choose_file(wizard: ImportWizard, path: Path) -> None:
    """Type ``path`` into the wizard's first step and read its sheets, as 选择文件 does."""
    wizard.file_page.path.setText(str(path))
    wizard.file_page.load_sheets()


def finish_import(
    wizard: ImportWizard, monkeypatch: pytest.MonkeyPatch, rejected: Path | None = None
) -> None:
    """Go on from the preview, confirming the wizard's warning: the import runs to the last step.

    With ``rejected``, only the rows that passed are imported and the others saved there.
    """
    if rejected is not None:
        wizard.preview_page.mode_valid.setChecked(True)
        wizard.rejected_target = rejected
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: QMessageBox.StandardButton.Ok)
    wizard.next()
    assert wizard.currentPage() is wizard.summary_page


@pytest.fixture
def import_desk(
    qtbot: QtBot, admin: SignedIn, location: DatabaseLocation, clock: FixedClock
) -> WizardDesk:
    add_archivist(admin, clock)
    session = sign_in(location=location, username="lisi", password=PASSWORD, clock=clock)
    return WizardDesk(qtbot, location, clock, session)
