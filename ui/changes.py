"""The change bus: one per main window, it tells every page what a write changed (issue 21).

The store reports each committed unit of work's :class:`~app.domain.changes.Changes` (from any
thread); the bus gathers the reports of one turn of the event loop and emits ``changed`` once
on the GUI thread. Pages refresh the parts that show a changed kind: the visible page at once,
the hidden ones when they are next shown (``ChangeTracker``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.domain.changes import Changes
from app.storage.change_feed import ChangeFeed
from app.storage.store import CHANGE_LISTENERS

if TYPE_CHECKING:
    from app.storage.store import Store


class ChangeBus(QObject):
    """Collects the store's change reports; emits ``changed(Changes)`` on the GUI thread."""

    changed = Signal(object)
    _reported = Signal(object)  # emitted in the committing thread, queued to the bus's thread

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending = Changes()
        self._timer = QTimer(self, singleShot=True, interval=0)
        self._timer.timeout.connect(self._flush)
        self._reported.connect(self._collect)
        self._listener = _listener_for(self, store.location.display())
        CHANGE_LISTENERS.append(self._listener)
        # a shared server: other desks' commits arrive through LISTEN/NOTIFY (issue 22)
        self._feed: ChangeFeed | None = None
        if not store.location.is_sqlite:
            self._feed = ChangeFeed(store.engine, store.change_token, store.report_changes).start()

    def detach(self) -> None:
        """Stop listening (sign-out)."""
        if self._listener in CHANGE_LISTENERS:
            CHANGE_LISTENERS.remove(self._listener)
        if self._feed is not None:
            self._feed.stop()
            self._feed = None
        self._timer.stop()
        self._pending = Changes()

    def report(self, changes: Changes) -> None:
        """Announce ``changes`` made without the store (e.g. a file written)."""
        self._reported.emit(changes)

    @Slot(object)
    def _collect(self, changes: Changes) -> None:
        self._pending = self._pending | changes
        if not self._timer.isActive():
            self._timer.start()

    @Slot()
    def _flush(self) -> None:
        pending, self._pending = self._pending, Changes()
        if pending:
            self.changed.emit(pending)

    def flush_now(self) -> None:
        """Emit what has been collected without waiting for the event loop (tests, sign-out)."""
        self._timer.stop()
        self._flush()


def _listener_for(bus: ChangeBus, where: str) -> Callable[[str, Changes], None]:
    """A store listener that holds the bus weakly and drops itself once the bus is gone."""
    ref = weakref.ref(bus)

    def listener(changed_where: str, changes: Changes) -> None:
        target = ref()
        try:
            if target is not None and changed_where == where:
                target._reported.emit(changes)
                return
        except RuntimeError:  # the window (and its bus) was deleted without a sign-out
            pass
        else:
            if target is not None:
                return
        if listener in CHANGE_LISTENERS:
            CHANGE_LISTENERS.remove(listener)

    return listener


class ChangeTracker:
    """Refresh a page for the kinds it watches: at once when visible, else when next shown."""

    def __init__(
        self, watched: Changes, refresh: Callable[[Changes], None], visible: Callable[[], bool]
    ) -> None:
        self.watched = watched
        self._refresh = refresh
        self._visible = visible
        self.stale = Changes()
        self._absorbed = Changes()

    def absorb(self, changes: Changes) -> None:
        """The page has already shown what its own write changed (a scan at the 检查 desk).

        The next report is skipped when it holds no watched kind beyond ``changes``, so a page
        that updates itself at once is not reloaded after every scan.
        """
        self._absorbed = self._absorbed | changes

    def notify(self, changes: Changes) -> None:
        """A write changed ``changes``: refresh now or remember it."""
        absorbed, self._absorbed = self._absorbed, Changes()
        if not changes.touches(self.watched):
            return
        if absorbed and (changes.kinds() & self.watched.kinds()) <= absorbed.kinds():
            return
        if self._visible():
            self._refresh(changes)
        else:
            self.stale = self.stale | changes

    def shown(self) -> None:
        """The page became visible: catch up on what changed while it was hidden."""
        stale, self.stale = self.stale, Changes()
        if stale:
            self._refresh(stale)
