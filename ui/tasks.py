"""Background work: run a Qt-free function on the thread pool, deliver its result on the GUI thread.

The function receives a :class:`ProgressSink` (``report(done, total)``, ``is_cancelled()``); the
result or the error comes back through ``on_done`` / ``on_error`` on the GUI thread. Widgets are
never touched from the worker.

Every task is known to the :class:`TaskRegistry` (one per process, ``task_registry()``), and the
session controller (``ui/app.py``) settles it before sign-out, lock and quit: running tasks are
asked to cancel and waited for behind a message, so no worker reads a store that sign-out is
closing and no cancelled result (a preview, a file) arrives after the session ended (issue 21,
point 8, Picard's pattern).

- ``run_in_background``: the window stays usable; a progress bar appears only after 300 ms;
  ``on_done`` runs on the GUI thread unless the task was cancelled (printing renders its PDF so).
- ``run_blocking``: the caller needs the result to go on (exports, the import wizard): a local
  event loop keeps the window painting behind a window-modal progress dialog that appears after
  300 ms.
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


class TaskRegistry(QObject):
    """The running background tasks of the process (the session controller settles them)."""

    count_changed = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tasks: list[Task] = []

    def add(self, task: Task) -> None:
        """Know ``task`` until it has finished."""
        self._tasks.append(task)
        task.finished.connect(lambda t=task: self._forget(t))
        self.count_changed.emit(len(self.running()))

    def _forget(self, task: Task) -> None:
        if task in self._tasks:
            self._tasks.remove(task)
        self.count_changed.emit(len(self.running()))

    def running(self) -> list[Task]:
        """The tasks whose worker has not finished yet."""
        return [t for t in self._tasks if t.running]

    def cancel_all(self) -> int:
        """Ask every running task to stop; its result will be dropped. Returns how many."""
        running = self.running()
        for task in running:
            task.cancel()
        return len(running)

    def wait_all(self, parent: QWidget | None, label: str) -> None:
        """Return once every worker has finished, showing ``label`` while waiting."""
        from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer
        from PySide6.QtWidgets import QProgressDialog

        if not self.running():
            return
        dialog = QProgressDialog(label, "", 0, 0, parent)
        dialog.setObjectName("task_wait")
        dialog.setWindowTitle(QCoreApplication.translate("tasks", "请稍候"))
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setCancelButton(None)
        dialog.setMinimumDuration(0)
        dialog.show()
        loop = QEventLoop()

        def check() -> None:
            if not self.running():
                loop.quit()

        self.count_changed.connect(check)
        poll = QTimer(interval=50)  # a finished signal may already be queued: look again
        poll.timeout.connect(check)
        poll.start()
        if self.running():
            loop.exec()
        poll.stop()
        self.count_changed.disconnect(check)
        dialog.close()
        dialog.deleteLater()


_REGISTRY: TaskRegistry | None = None


def task_registry() -> TaskRegistry:
    """The process's task registry (made on first use, on the GUI thread)."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = TaskRegistry()
    return _REGISTRY


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
    task_registry().add(task)
    QThreadPool.globalInstance().start(_Runner(fn, task.signals, task.sink))
    return task


PROGRESS_DELAY_MS = 300  # a progress bar appears only for work that takes longer


def run_in_background(
    parent: QWidget,
    label: str,
    fn: Callable[[ProgressSink], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None] | None = None,
) -> Task:
    """Run ``fn`` off the GUI thread; the window stays usable; a progress bar after 300 ms.

    ``on_done(result)`` runs on the GUI thread, unless the task was cancelled (sign-out, lock).
    Errors are shown to the user unless ``on_error`` is given.
    """
    from PySide6.QtCore import QCoreApplication, Qt, QTimer
    from PySide6.QtWidgets import QProgressDialog

    def failed(exc: BaseException) -> None:
        from app.errors import AppError
        from ui.errors import show_error, show_unexpected

        if on_error is not None:
            on_error(exc)
        elif isinstance(exc, AppError):
            show_error(parent, exc)
        else:
            show_unexpected(parent, exc)

    dialog = QProgressDialog(label, QCoreApplication.translate("tasks", "取消"), 0, 0, parent)
    dialog.setObjectName("task_progress")
    dialog.setWindowTitle(QCoreApplication.translate("tasks", "请稍候"))
    dialog.setWindowModality(Qt.WindowModality.NonModal)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.hide()
    task = run_task(fn, on_done=on_done, on_error=failed, parent=parent)
    task.setObjectName("background_task")
    dialog.canceled.connect(task.cancel)
    timer = QTimer(dialog, singleShot=True, interval=PROGRESS_DELAY_MS)
    timer.timeout.connect(lambda: dialog.show() if task.running else None)
    timer.start()

    def progress(done: int, total: int) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))

    def over() -> None:
        timer.stop()
        dialog.close()
        dialog.deleteLater()

    task.progressed.connect(progress)
    task.finished.connect(over)
    task.progress_dialog = dialog  # type: ignore[attr-defined]
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
    dialog.setMinimumDuration(PROGRESS_DELAY_MS)
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
    task_registry().add(task)
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


class LatestQuery:
    """One page's reads off the GUI thread where only the newest query counts (issue 21).

    ``run`` cancels the query still running (its result is dropped) and starts the new one
    through ``run_in_background``, so a page shows what was asked for last, never an older
    answer arriving late. ``cancel`` drops the running one (a synchronous refresh overtook it).
    """

    def __init__(self, parent: QWidget) -> None:
        self._parent = parent
        self.task: Task | None = None

    @property
    def running(self) -> bool:
        """True while a query runs."""
        return self.task is not None and self.task.running

    def cancel(self) -> None:
        """Drop the running query's result (if any)."""
        if self.task is not None and self.task.running:
            self.task.cancel()

    def run(
        self,
        label: str,
        fetch: Callable[[], Any],
        show: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Task:
        """Run ``fetch`` in a worker, then ``show(result)`` on the GUI thread."""
        self.cancel()
        self.task = run_in_background(self._parent, label, lambda _sink: fetch(), show, on_error)
        return self.task
