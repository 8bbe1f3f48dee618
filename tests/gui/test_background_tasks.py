"""Background work the session controller knows about (issue 21, point 8, Picard's pattern).

Sign-out, lock and quit cancel the running tasks and wait for their workers behind a message:
no worker reads a closed store, no result of the ended session (a preview, a file) appears
after it. Printing renders its PDF off the GUI thread; the progress bar appears only after
300 ms.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget
from pytestqt.qtbot import QtBot

from app.clock import FixedClock
from app.demo import DEMO_PASSWORD
from app.services.auth import SignedIn, sign_in
from app.services.catalogue import list_volumes
from app.storage.location import DatabaseLocation
from tests.gui.conftest import when_modal
from ui.app import SessionController
from ui.context import AppContext
from ui.dialogs.sign_in import SignInDialog
from ui.main_window import MainWindow
from ui.pages.archives import ArchivesPage
from ui.tasks import ProgressSink, run_in_background, task_registry

CLOCK = FixedClock()


@pytest.fixture
def controller(qtbot: QtBot, demo_copy: DatabaseLocation) -> Iterator[SessionController]:
    ctl = SessionController(AppContext(location=demo_copy, clock=CLOCK))
    ctl.session = sign_in(
        location=demo_copy, username="archivist", password=DEMO_PASSWORD, clock=CLOCK
    )
    ctl.open_main_window()
    assert ctl.window is not None  # sign-out deletes it: not handed to qtbot
    yield ctl
    if ctl.window is not None:
        ctl.window.close_for_sign_out()
    if ctl.session is not None:
        ctl.quit()


def signed_in_window(controller: SessionController) -> tuple[MainWindow, SignedIn]:
    """The controller's main window and session (both there: the fixture signed in)."""
    window, session = controller.window, controller.session
    assert window is not None and session is not None
    return window, session


def through_sign_out(seen: dict[str, str], errors: list[BaseException]) -> None:
    """Note the wait message (if one shows), then decline the sign-in dialog that follows."""

    def act(dialog: QWidget) -> None:
        if isinstance(dialog, SignInDialog):
            dialog.reject()
            return
        assert isinstance(dialog, QProgressDialog) and dialog.objectName() == "task_wait"
        seen["label"] = dialog.labelText()
        QTimer.singleShot(20, lambda: errors.extend(when_modal(act)))  # the sign-in comes next

    errors.extend(when_modal(act))


def test_sign_out_cancels_a_running_task_and_waits_for_its_worker(
    qtbot: QtBot, controller: SessionController
) -> None:
    window, session = signed_in_window(controller)
    reads: list[int] = []
    failures: list[BaseException] = []
    started, stopped = threading.Event(), threading.Event()
    delivered: list[object] = []

    def keep_reading(sink: ProgressSink) -> int:  # a long list load that checks for cancel
        try:
            while not sink.is_cancelled():
                reads.append(len(list_volumes(session=session, clock=CLOCK, limit=5)))
                started.set()
        except BaseException as exc:  # a read of a closed store would land here
            failures.append(exc)
            raise
        finally:
            stopped.set()
        return len(reads)

    task = run_in_background(window, "正在读取……", keep_reading, delivered.append)
    assert task in task_registry().running()
    qtbot.waitUntil(started.is_set)
    errors: list[BaseException] = []
    through_sign_out({}, errors)
    controller.sign_out()
    assert errors == []
    # the worker stopped before the store was closed, and its result was dropped
    assert stopped.is_set() and not task.running
    assert failures == [] and reads and reads[-1] == 5
    assert task_registry().running() == []
    qtbot.wait(50)  # let any queued delivery run: there must be none
    assert delivered == []
    assert controller.session is None and session.store.closed


def test_sign_out_waits_with_a_message_for_a_task_past_its_last_check(
    qtbot: QtBot, controller: SessionController
) -> None:
    window, session = signed_in_window(controller)
    release = threading.Event()
    finished_read: list[int] = []
    seen: dict[str, str] = {}

    def last_step(_sink: ProgressSink) -> int:  # never looks at the cancel: must be waited for
        release.wait(10)
        finished_read.append(len(list_volumes(session=session, clock=CLOCK, limit=3)))
        return 1

    delivered: list[object] = []
    task = run_in_background(window, "正在导出……", last_step, delivered.append)

    errors: list[BaseException] = []
    QTimer.singleShot(300, release.set)  # the work ends while the message is up
    through_sign_out(seen, errors)
    controller.sign_out()
    assert errors == []
    assert seen["label"] == "正在取消 1 项后台任务，请稍候……"
    assert finished_read == [3]  # its read completed on the open store
    assert not task.running and delivered == []
    assert session.store.closed


def test_printing_renders_off_the_gui_thread_with_a_late_progress_bar(
    qtbot: QtBot, demo_copy: DatabaseLocation
) -> None:
    session = sign_in(location=demo_copy, username="archivist", password=DEMO_PASSWORD, clock=CLOCK)
    window = MainWindow(AppContext(location=demo_copy, clock=CLOCK), session)
    qtbot.addWidget(window)
    window.show()
    release = threading.Event()
    threads: list[bool] = []

    def slow(_sink: ProgressSink) -> str:
        threads.append(threading.current_thread() is threading.main_thread())
        release.wait(10)
        return "done"

    results: list[str] = []
    task = run_in_background(window, "正在生成……", slow, results.append)
    dialog = task.progress_dialog  # type: ignore[attr-defined]
    assert not dialog.isVisible()  # nothing flashes for quick work
    qtbot.waitUntil(dialog.isVisible)  # shown once the work takes longer than 300 ms
    release.set()
    qtbot.waitUntil(lambda: results == ["done"])
    assert threads == [False]

    # the 卷内目录 of the 档案 page is rendered so: its preview opens once the PDF is ready
    archives = window.page_by_key["archives"]
    assert isinstance(archives, ArchivesPage)
    window.show_area("archives")
    archives.volume_table.selectRow(0)
    seen: dict[str, str] = {}

    def preview(dialog: QWidget) -> None:
        seen["title"] = dialog.windowTitle()
        dialog.close()

    errors = when_modal(preview)
    archives.print_catalogue_button.click()
    assert archives.print_task in task_registry().running() or "title" in seen
    qtbot.waitUntil(lambda: "title" in seen)
    assert errors == [] and "卷内目录" in seen["title"]
    window.close_for_sign_out()
    from app.services.auth import sign_out

    sign_out(session=session, clock=CLOCK)


def test_every_desk_printout_is_drawn_off_the_gui_thread_then_previewed(
    qtbot: QtBot, demo_copy: DatabaseLocation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """借阅登记簿, 复制摘抄登记簿 and 排架清单 are drawn in a worker; the preview follows."""
    from app.services import locations as L
    from app.services.loans import printing as loan_print
    from app.services.locations import printing as location_print
    from ui.pages.loans import LoansPage
    from ui.pages.locations import LocationsPage

    drawn_in: dict[str, bool] = {}  # printout → drawn on the GUI thread?

    def spy(module: object, name: str) -> None:
        real = getattr(module, name)

        def drawing(*args: object, **kwargs: object) -> bytes:
            drawn_in[name] = threading.current_thread() is threading.main_thread()
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, drawing)

    spy(loan_print, "register_pdf")
    spy(loan_print, "copy_register_pdf")
    spy(location_print, "shelf_list_pdf")
    session = sign_in(location=demo_copy, username="archivist", password=DEMO_PASSWORD, clock=CLOCK)
    window = MainWindow(AppContext(location=demo_copy, clock=CLOCK), session)
    qtbot.addWidget(window)
    window.show()
    loans = window.page_by_key["loans"]
    places = window.page_by_key["locations"]
    assert isinstance(loans, LoansPage) and isinstance(places, LocationsPage)

    def preview_of(start: object) -> str:
        seen: dict[str, str] = {}

        def preview(dialog: QWidget) -> None:
            seen["title"] = dialog.windowTitle()
            dialog.close()

        errors = when_modal(preview)
        start()  # type: ignore[operator]
        qtbot.waitUntil(lambda: "title" in seen)
        assert errors == []
        return seen["title"]

    window.show_area("loans")
    assert "借阅登记簿" in preview_of(lambda: loans.registers_tab.print_register(open_only=True))
    assert "复制摘抄登记簿" in preview_of(loans.registers_tab.print_copy_register)
    window.show_area("locations")
    face = L.resolve_scan(session=session, text="K1-01-A", clock=CLOCK)
    assert face is not None
    places.show_location(face.object_id)
    assert "排架清单 K1-01-A" in preview_of(places.print_shelf_list)
    assert drawn_in == {
        "register_pdf": False,
        "copy_register_pdf": False,
        "shelf_list_pdf": False,
    }
    window.close_for_sign_out()
    from app.services.auth import sign_out

    sign_out(session=session, clock=CLOCK)
