"""Background work: run a Qt-free function on the thread pool, deliver its result on the GUI thread.

The function receives a :class:`ProgressSink` (``report(done, total)``, ``is_cancelled()``); the
result or the error comes back through ``on_done`` / ``on_error`` on the GUI thread. Widgets are
never touched from the worker.

Database work here must not outlive the store: a task that reads the store must be finished
(or waited for) before sign-out closes that store, and the session controller does not track
running tasks yet (a first try at loading the customer list in the background crashed in
SQLCipher when a test signed out mid-query). So database work runs only behind a modal
progress dialog that returns once the worker has finished: ``run_blocking`` (the import
wizard's checks and import; each unit of work opens its own session and connection in the
worker) and 备份与恢复 (``ui/dialogs/backup.py``, which copies through its own connections and
touches the store only for short permission and audit transactions). Add the task counter
before moving other database work here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)


class ProgressSink:
    """What a long-running function sees: report progress, notice a cancel."""

    def __init__(self, report: Callable[[int, int], None]) -> None:
        self._report = report
        self._cancelled = threading.Event()

    def report(self, done: int, total: int) -> None:
        """Tell the GUI how far the work is."""
        self._report(done, total)

    def cancel(self) -> None:
        """Ask the work to stop at its next check."""
        self._cancelled.set()

    def is_cancelled(self) -> bool:
        """True once cancel was asked for."""
        return self._cancelled.is_set()


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)
    progress = Signal(int, int)


class _Runner(QRunnable):
    def __init__(
        self, fn: Callable[[ProgressSink], Any], signals: _Signals, sink: ProgressSink
    ) -> None:
        super().__init__()
        self._fn, self._signals, self._sink = fn, signals, sink

    def run(self) -> None:
        try:
            result = self._fn(self._sink)
        except BaseException as exc:  # delivered to the GUI thread, never lost in the pool
            log.debug("background task failed: %s", type(exc).__name__)
            self._signals.failed.emit(exc)
            return
        self._signals.done.emit(result)


class Task(QObject):
    """A handle on one background job: ``cancel()``, ``finished`` once it is over.

    The worker's signals are connected to this object's slots, so they are queued to the thread
    the Task lives in (the GUI thread) and the callbacks never run in the worker.
    """

    finished = Signal()
    progressed = Signal(int, int)

    def __init__(
        self,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_done, self._on_error = on_done, on_error
        self.signals = _Signals()
        self.sink = ProgressSink(lambda done, total: self.signals.progress.emit(done, total))
        self.running = True
        self.signals.done.connect(self._deliver_result)
        self.signals.failed.connect(self._deliver_error)
        self.signals.progress.connect(self._relay_progress)

    def cancel(self) -> None:
        """Ask the job to stop; its result is then ignored."""
        self.sink.cancel()

    @Slot(int, int)
    def _relay_progress(self, done: int, total: int) -> None:
        self.progressed.emit(done, total)

    @Slot(object)
    def _deliver_result(self, result: Any) -> None:
        self.running = False
        if not self.sink.is_cancelled():
            self._on_done(result)
        self.finished.emit()

    @Slot(object)
    def _deliver_error(self, exc: BaseException) -> None:
        self.running = False
        if not self.sink.is_cancelled():
            self._on_error(exc)
        self.finished.emit()


def run_task(
    fn: Callable[[ProgressSink], Any],
    *,
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
    parent: QObject | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> Task:
    """Start ``fn`` on the global thread pool; callbacks run on the GUI thread."""
    task = Task(on_done, on_error, parent)
    if on_progress is not None:
        task.progressed.connect(on_progress)
    QThreadPool.globalInstance().start(_Runner(fn, task.signals, task.sink))
    return task


def run_blocking(
    parent: QWidget | None,
    label: str,
    fn: Callable[[ProgressSink], Any],
    *,
    cancellable: bool = True,
) -> Any:
    """Run ``fn`` off the GUI thread behind a modal progress dialog; return its result.

    The GUI stays responsive (a local event loop runs) and the dialog's 取消 asks ``fn`` to
    stop; the call returns only once the worker has finished, so nothing it uses (the store)
    is closed under it. The worker's error is raised here; a cancelled run raises
    ``app.errors.ImportCancelled`` unless ``fn`` finished anyway.
    """
    from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
    from PySide6.QtWidgets import QProgressDialog

    from app.errors import ImportCancelled

    outcome: dict[str, Any] = {}
    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setObjectName("task_progress")
    dialog.setWindowTitle(QCoreApplication.translate("tasks", "请稍候"))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if cancellable:
        dialog.setCancelButtonText(QCoreApplication.translate("tasks", "取消"))
    else:
        dialog.setCancelButton(None)
    loop = QEventLoop()

    def progress(done: int, total: int) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))

    task = _DeliveringTask(
        lambda result: outcome.__setitem__("result", result),
        lambda exc: outcome.__setitem__("error", exc),
        parent,
    )
    task.progressed.connect(progress)
    task.finished.connect(loop.quit)
    dialog.canceled.connect(task.cancel)
    QThreadPool.globalInstance().start(_Runner(fn, task.signals, task.sink))
    if task.running:
        loop.exec()
    dialog.close()
    dialog.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    if "result" not in outcome:
        raise ImportCancelled()
    return outcome["result"]


class _DeliveringTask(Task):
    """A task whose result is delivered even after a cancel came too late to stop the work.

    An import that committed before it saw the cancel must be reported as imported.
    """

    @Slot(object)
    def _deliver_result(self, result: Any) -> None:
        self.running = False
        self._on_done(result)
        self.finished.emit()

    @Slot(object)
    def _deliver_error(self, exc: BaseException) -> None:
        self.running = False
        self._on_error(exc)
        self.finished.emit()
