"""Background tasks deliver results and errors on the GUI thread; cancelled results are dropped."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from ui.tasks import ProgressSink, run_task


def test_result_and_progress_arrive_on_the_gui_thread(qtbot: QtBot) -> None:
    seen: dict[str, object] = {}
    worker_threads: list[int] = []

    def work(sink: ProgressSink) -> int:
        worker_threads.append(threading.get_ident())
        sink.report(1, 2)
        sink.report(2, 2)
        return 42

    def done(value: int) -> None:
        seen["value"] = value
        seen["gui_thread"] = QThread.currentThread() is QApplication.instance().thread()  # type: ignore[union-attr]

    progress: list[tuple[int, int]] = []
    task = run_task(
        work,
        on_done=done,
        on_error=lambda e: seen.setdefault("error", e),
        on_progress=lambda d, t: progress.append((d, t)),
    )
    qtbot.waitSignal(
        task.finished, timeout=5000
    ).wait()  # finished is queued: it cannot fire earlier
    assert seen == {"value": 42, "gui_thread": True}
    assert worker_threads and worker_threads[0] != threading.get_ident()
    assert progress[-1] == (2, 2)


def test_errors_are_delivered_not_lost(qtbot: QtBot) -> None:
    errors: list[BaseException] = []

    def work(_sink: ProgressSink) -> None:
        raise ValueError("boom")

    task = run_task(work, on_done=lambda _r: None, on_error=errors.append)
    qtbot.waitSignal(
        task.finished, timeout=5000
    ).wait()  # finished is queued: it cannot fire earlier
    assert len(errors) == 1 and isinstance(errors[0], ValueError)


def test_a_cancelled_task_delivers_nothing(qtbot: QtBot) -> None:
    gate = threading.Event()
    delivered: list[object] = []

    def work(sink: ProgressSink) -> str:
        gate.wait(5)
        return "late"

    task = run_task(work, on_done=delivered.append, on_error=delivered.append)
    task.cancel()
    gate.set()
    qtbot.waitSignal(
        task.finished, timeout=5000
    ).wait()  # finished is queued: it cannot fire earlier
    assert delivered == [] and task.sink.is_cancelled()


def test_run_blocking_returns_the_result_and_cancel_stops_the_work(qtbot: QtBot) -> None:
    import time

    import pytest
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QProgressDialog

    from app.errors import ImportCancelled
    from ui.tasks import run_blocking

    assert run_blocking(None, "计算", lambda sink: 6 * 7) == 42

    def endless(sink: ProgressSink) -> None:
        while not sink.is_cancelled():
            sink.report(1, 10)
            time.sleep(0.01)
        raise ImportCancelled()

    def press_cancel() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QProgressDialog) and widget.objectName() == "task_progress":
                widget.canceled.emit()  # what the 取消 button does
                return
        QTimer.singleShot(20, press_cancel)

    QTimer.singleShot(50, press_cancel)
    with pytest.raises(ImportCancelled):
        run_blocking(None, "等待取消", endless)

    def finishes_anyway(sink: ProgressSink) -> str:
        while not sink.is_cancelled():
            time.sleep(0.01)
        return "committed"  # the work was past its last check: its result still counts

    QTimer.singleShot(50, press_cancel)
    assert run_blocking(None, "提交中", finishes_anyway) == "committed"
